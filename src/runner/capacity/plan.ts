/**
 * Which load a capacity search tries next. Pure: it only hears each step's load and
 * whether it met the SLOs.
 *
 * Grow: from the start, add or multiply until a step breaks an SLO (never above the upper
 * bound; the bound itself is tried). Refine: halve the gap between the highest load that
 * met every SLO and the lowest that broke one, until they are within the precision (or
 * one user apart). The answer is the highest load that met every SLO.
 */
import type { CapacityGrowth, CapacityModel } from "../../shared/capacity.js";

export interface PlanSettings {
  model: CapacityModel;
  start: number;
  growth: CapacityGrowth;
  max: number;
  precision: number;
}

/** Why the plan has no next step. */
export type PlanEnd = "found" | "below-start" | "at-least";

/** Loads as a step can run them: whole users, or a rate to 3 significant digits. */
export function roundLoad(model: CapacityModel, load: number): number {
  if (model === "users") return Math.max(1, Math.round(load));
  return Number(load.toPrecision(3));
}

export class CapacityPlan {
  /** The highest load that met every SLO, and the lowest that broke one. */
  good: number | null = null;
  bad: number | null = null;
  /** Set when the search is over. */
  end: PlanEnd | undefined;

  constructor(private readonly settings: PlanSettings) {}

  /** The first step's load. */
  first(): number {
    return roundLoad(this.settings.model, Math.min(this.settings.start, this.settings.max));
  }

  /** "grow" until a step broke, then "refine". */
  get phase(): "grow" | "refine" {
    return this.bad === null ? "grow" : "refine";
  }

  /** Records a step's verdict; returns the next load, or null when the search is over (see `end`). */
  next(load: number, passed: boolean): number | null {
    if (passed) this.good = this.good === null ? load : Math.max(this.good, load);
    else this.bad = this.bad === null ? load : Math.min(this.bad, load);
    if (this.bad === null) return this.grow(load);
    if (this.good === null) return this.finish("below-start");
    // Every refined load lies strictly between the two, so good < bad always holds.
    return this.refine(this.good, this.bad);
  }

  private grow(load: number): number | null {
    const { model, growth, max } = this.settings;
    if (load >= max) return this.finish("at-least");
    const raw = growth.kind === "multiply" ? load * growth.factor : load + growth.step;
    let next = roundLoad(model, Math.min(raw, max));
    if (next <= load) next = roundLoad(model, Math.min(max, load + (model === "users" ? 1 : load * 0.01)));
    return next > load ? next : this.finish("at-least");
  }

  private refine(good: number, bad: number): number | null {
    const { model, precision } = this.settings;
    const close = model === "users" ? Math.max(1, Math.floor(precision * good)) : precision * good;
    if (bad - good <= close) return this.finish("found");
    const middle = roundLoad(model, (good + bad) / 2);
    if (middle <= good || middle >= bad) return this.finish("found");
    return middle;
  }

  private finish(end: PlanEnd): null {
    this.end = end;
    return null;
  }
}
