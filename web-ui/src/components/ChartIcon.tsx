/** A small line-chart icon (inline SVG: no icon font, no external request). */
export function ChartIcon() {
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d="M1.5 1.5v13h13" fill="none" stroke="currentColor" strokeWidth="1.5" />
      <path
        d="M4 11l3-4 3 2 4-6"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.7"
        strokeLinejoin="round"
      />
    </svg>
  );
}
