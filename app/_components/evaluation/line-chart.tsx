export type Series = { label: string; points: [number, number][]; color: string; emphasis?: boolean };

const W = 360,
  H = 300;
const M = { left: 46, right: 12, top: 12, bottom: 40 };
const PW = W - M.left - M.right,
  PH = H - M.top - M.bottom;
const TICKS = [0, 0.2, 0.4, 0.6, 0.8, 1];

const sx = (x: number) => M.left + Math.min(1, Math.max(0, x)) * PW;
const sy = (y: number) => M.top + (1 - Math.min(1, Math.max(0, y))) * PH;

/** A unit-square line chart in plain SVG (both axes 0–1), for ROC and precision–recall curves. */
export function LineChart({
  title,
  xLabel,
  yLabel,
  series,
  diagonal = false,
}: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  diagonal?: boolean;
}) {
  return (
    <figure className="space-y-1">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} className="w-full max-w-md" data-testid="line-chart">
        <title>{title}</title>
        <rect x={M.left} y={M.top} width={PW} height={PH} fill="none" stroke="currentColor" className="text-line" />
        {TICKS.map((t) => (
          <g key={t} className="text-muted" fontSize={10} fill="currentColor">
            <line x1={sx(t)} x2={sx(t)} y1={M.top} y2={M.top + PH} stroke="currentColor" strokeOpacity={0.15} />
            <line x1={M.left} x2={M.left + PW} y1={sy(t)} y2={sy(t)} stroke="currentColor" strokeOpacity={0.15} />
            <text x={sx(t)} y={M.top + PH + 14} textAnchor="middle">
              {t.toFixed(1)}
            </text>
            <text x={M.left - 6} y={sy(t) + 3} textAnchor="end">
              {t.toFixed(1)}
            </text>
          </g>
        ))}
        {diagonal ? (
          <line
            x1={sx(0)}
            y1={sy(0)}
            x2={sx(1)}
            y2={sy(1)}
            stroke="currentColor"
            strokeDasharray="4 4"
            className="text-muted"
            strokeOpacity={0.5}
          />
        ) : null}
        {series.map((s) => (
          <polyline
            key={s.label}
            points={s.points.map(([x, y]) => `${sx(x).toFixed(2)},${sy(y).toFixed(2)}`).join(" ")}
            fill="none"
            stroke={s.color}
            strokeWidth={s.emphasis ? 2.5 : 1.25}
            strokeOpacity={s.emphasis ? 1 : 0.8}
            strokeLinejoin="round"
          >
            <title>{s.label}</title>
          </polyline>
        ))}
        <text
          x={M.left + PW / 2}
          y={H - 6}
          textAnchor="middle"
          fontSize={11}
          fill="currentColor"
          className="text-muted"
        >
          {xLabel}
        </text>
        <text
          transform={`translate(12 ${M.top + PH / 2}) rotate(-90)`}
          textAnchor="middle"
          fontSize={11}
          fill="currentColor"
          className="text-muted"
        >
          {yLabel}
        </text>
      </svg>
      <figcaption className="flex flex-wrap gap-x-3 gap-y-1 text-xs text-muted">
        <span className="font-medium text-text">{title}</span>
        {series.map((s) => (
          <span key={s.label} className="inline-flex items-center gap-1">
            <span className="inline-block h-0.5 w-4" style={{ background: s.color, height: s.emphasis ? 3 : 2 }} />
            {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
