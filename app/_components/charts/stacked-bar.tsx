import { ChartFigure } from "./chart-figure";

export type Segment = { label: string; value: number; color: string };

/** One bar split into parts of a whole, with a legend that carries the numbers. */
export function StackedBar({ title, segments, note }: { title: string; segments: Segment[]; note?: string }) {
  const total = segments.reduce((s, x) => s + x.value, 0);
  const pct = (v: number) => (total ? `${((100 * v) / total).toFixed(1)}%` : "0%");
  const shown = segments.filter((s) => s.value > 0);
  let x = 0;
  return (
    <ChartFigure title={title} note={note}>
      <svg
        viewBox="0 0 1000 28"
        preserveAspectRatio="none"
        className="h-7 w-full rounded"
        role="img"
        aria-label={`${title}: ${shown.map((s) => `${s.label} ${s.value.toLocaleString("en")} (${pct(s.value)})`).join(", ") || "empty"}`}
      >
        <rect x={0} y={0} width={1000} height={28} fill="#1b1f26" />
        {shown.map((s) => {
          const w = (s.value / total) * 1000;
          const el = (
            <rect key={s.label} x={x} y={0} width={w} height={28} fill={s.color}>
              <title>{`${s.label}: ${s.value.toLocaleString("en")} (${pct(s.value)})`}</title>
            </rect>
          );
          x += w;
          return el;
        })}
      </svg>
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs">
        {segments.map((s) => (
          <li key={s.label} className="flex items-center gap-1.5">
            <span aria-hidden className="inline-block h-2.5 w-2.5 rounded-sm" style={{ background: s.color }} />
            <span className="text-muted">{s.label}</span>
            <span className="tabular-nums text-text">{s.value.toLocaleString("en")}</span>
            <span className="tabular-nums text-muted">({pct(s.value)})</span>
          </li>
        ))}
      </ul>
    </ChartFigure>
  );
}
