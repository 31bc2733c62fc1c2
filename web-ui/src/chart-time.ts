/**
 * The charts' time axis: every label in the UI's one time format (HH:MM:SS), at steps
 * of whole seconds and minutes, never closer than a label's width. uPlot's own time axis
 * mixes formats ("12:01" beside ":50", with am/pm) whose widths differ, so labels near
 * a minute boundary overlapped.
 */
import type uPlot from "uplot";
import { formatTime } from "./format.js";

/** Steps between ticks, seconds: whole seconds, minutes, hours. */
export const TIME_INCREMENTS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
];

/** The axis font (uPlot's default), also used to measure labels. */
export const AXIS_FONT =
  '12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

let labelWidth = 0;

/** The widest label ("00:00:00") in px, measured once. */
function widestLabel(): number {
  if (labelWidth === 0) {
    const context = document.createElement("canvas").getContext("2d");
    if (context) {
      context.font = AXIS_FONT;
      labelWidth = Math.ceil(context.measureText("00:00:00").width);
    }
    labelWidth ||= 56;
  }
  return labelWidth;
}

/** A tick of the x axis as drawn: its position in CSS px from the plot's left, and its label. */
export type DrawnTick = [leftPx: number, label: string];

/**
 * The x axis options; `onTicks` receives the ticks of each draw (the chart exposes them
 * for tests and screen readers).
 */
export function timeAxis(base: uPlot.Axis, onTicks: (ticks: DrawnTick[]) => void): uPlot.Axis {
  return {
    ...base,
    font: AXIS_FONT,
    // At least a label's width and a gap between two ticks.
    space: () => widestLabel() + 24,
    incrs: TIME_INCREMENTS,
    values: (u: uPlot, splits: number[]) => {
      const labels = splits.map((seconds) => formatTime(seconds * 1000));
      onTicks(splits.map((seconds, i) => [Math.round(u.valToPos(seconds, "x")), labels[i]!]));
      return labels;
    },
  };
}
