/**
 * Virtual scrolling for long tables: only the rows in view (and a margin) are in the page.
 * The caller renders rows `first` to `last` of its list, with spacer rows of
 * `first * rowHeight` above and `(count - last) * rowHeight` below, so the scroll bar stays
 * true. The statistics and failures tables share it.
 */
import { type RefObject, useEffect, useLayoutEffect, useRef, useState } from "react";

/** Height of one body row in px before it is measured (styles.css asks for 30 px). */
const DEFAULT_ROW_HEIGHT = 30;
/** Rows rendered above and below the visible ones. */
const OVERSCAN = 15;

export interface VirtualRows {
  container: RefObject<HTMLDivElement | null>;
  body: RefObject<HTMLTableSectionElement | null>;
  first: number;
  last: number;
  rowHeight: number;
}

/**
 * `count` rows in a scroll container; `attachKey` changes when the container appears or
 * goes (e.g. an empty table shows a message instead).
 */
export function useVirtualRows(count: number, attachKey: unknown): VirtualRows {
  const container = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLTableSectionElement>(null);
  const [view, setView] = useState({ top: 0, height: 800 });
  const [rowHeight, setRowHeight] = useState(DEFAULT_ROW_HEIGHT);

  // biome-ignore lint/correctness/useExhaustiveDependencies: attachKey decides whether the container exists
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    let frame = 0;
    const measure = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => setView({ top: element.scrollTop, height: element.clientHeight }));
    };
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    element.addEventListener("scroll", measure, { passive: true });
    measure();
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      element.removeEventListener("scroll", measure);
    };
  }, [attachKey]);

  // The spacers stand in for rows out of view, so they must use the rows' real height.
  useLayoutEffect(() => {
    const row = body.current?.querySelector("tr[data-key]");
    const height = row?.getBoundingClientRect().height;
    if (height && Math.abs(height - rowHeight) > 0.25) setRowHeight(height);
  });

  const first = Math.max(0, Math.min(count, Math.floor(view.top / rowHeight) - OVERSCAN));
  const last = Math.min(count, Math.ceil((view.top + view.height) / rowHeight) + OVERSCAN);
  return { container, body, first, last, rowHeight };
}
