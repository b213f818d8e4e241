import { ChartFigure } from "../charts/chart-figure";
import { colors, linear, niceTicks, palette } from "../charts/scale";
import { YGrid } from "../charts/y-grid";
import type { Interval, SweepCell } from "@/lib/simulate/types";

const W = 440,
  H = 240,
  M = { left: 48, right: 14, top: 12, bottom: 34 };

/**
 * One panel of the sweep: a figure (estimate with its 95% CI bar) against model quality, one line
 * per reader level, and a dashed reference line (no difference between the arms).
 */
function Panel({
  title,
  cells,
  get,
  reference,
  referenceLabel,
  format,
}: {
  title: string;
  cells: SweepCell[];
  get: (c: SweepCell) => Interval;
  reference: number;
  referenceLabel: string;
  format: (x: number) => string;
}) {
  const levels = [...new Set(cells.map((c) => c.readerFactor))].sort((a, b) => a - b);
  const xs = [...new Set(cells.map((c) => c.x))].sort((a, b) => a - b);
  const label = new Map(cells.map((c) => [c.x, c.model]));
  const ys = cells.flatMap((c) => [get(c).lo, get(c).hi, get(c).estimate]).filter(Number.isFinite);
  const ticks = niceTicks(Math.min(reference, ...ys), Math.max(reference, ...ys), 4);
  const y = linear([ticks[0], ticks[ticks.length - 1]], [H - M.bottom, M.top]);
  const x =
    xs.length > 1
      ? linear([xs[0], xs[xs.length - 1]], [M.left + 16, W - M.right - 16])
      : () => (M.left + W - M.right) / 2;
  const color = (k: number) => palette[k % palette.length];
  // Reader levels side by side at each x, so their interval bars do not hide each other.
  const dx = (k: number) => (k - (levels.length - 1) / 2) * 6;
  const rowOf = (rf: number) => cells.filter((c) => c.readerFactor === rf).sort((a, b) => a.x - b.x);
  const spoken = levels
    .map(
      (rf) =>
        `readers ×${rf}: ${rowOf(rf)
          .map((c) => `${c.model} ${format(get(c).estimate)} (${format(get(c).lo)} to ${format(get(c).hi)})`)
          .join(", ")}`,
    )
    .join("; ");
  const table = {
    columns: ["Model", ...levels.map((rf) => `readers ×${rf}`)],
    rows: xs.map((xv) => [
      label.get(xv) ?? String(xv),
      ...levels.map((rf) => {
        const c = cells.find((c) => c.readerFactor === rf && c.x === xv);
        return c ? `${format(get(c).estimate)} [${format(get(c).lo)}, ${format(get(c).hi)}]` : "—";
      }),
    ]),
  };
  return (
    <ChartFigure
      title={title}
      table={table}
      note={`Dashed line: ${referenceLabel}. Points are estimates, bars their 95% bootstrap CIs.`}
    >
      <svg viewBox={`0 0 ${W} ${H}`} className="w-full max-w-xl" role="img" aria-label={`${title}. ${spoken}`}>
        <YGrid ticks={ticks} y={y} left={M.left} right={W - M.right} format={format} />
        <line
          x1={M.left}
          x2={W - M.right}
          y1={y(reference)}
          y2={y(reference)}
          stroke={colors.text}
          strokeWidth={1}
          strokeDasharray="5 4"
        />
        {xs.map((xv) => (
          <text key={xv} x={x(xv)} y={H - M.bottom + 14} textAnchor="middle" className="fill-muted text-[10px]">
            {label.get(xv)}
          </text>
        ))}
        <text x={(M.left + W - M.right) / 2} y={H - 4} textAnchor="middle" className="fill-muted text-[10px]">
          model quality
        </text>
        {levels.map((rf, k) => {
          const row = rowOf(rf).filter((c) => Number.isFinite(get(c).estimate));
          return (
            <g key={rf} data-series={`readers ×${rf}`}>
              <polyline
                fill="none"
                stroke={color(k)}
                strokeWidth={2}
                points={row.map((c) => `${x(c.x) + dx(k)},${y(get(c).estimate)}`).join(" ")}
              />
              {row.map((c) => (
                <g key={c.x}>
                  {Number.isFinite(get(c).lo) && Number.isFinite(get(c).hi) ? (
                    <line
                      x1={x(c.x) + dx(k)}
                      x2={x(c.x) + dx(k)}
                      y1={y(get(c).lo)}
                      y2={y(get(c).hi)}
                      stroke={color(k)}
                      strokeWidth={1.5}
                    />
                  ) : null}
                  <circle cx={x(c.x) + dx(k)} cy={y(get(c).estimate)} r={3.5} fill={color(k)}>
                    <title>{`readers ×${rf}, ${c.model}: ${format(get(c).estimate)} [${format(get(c).lo)}, ${format(get(c).hi)}]`}</title>
                  </circle>
                </g>
              ))}
            </g>
          );
        })}
      </svg>
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs" aria-label="Legend">
        {levels.map((rf, k) => (
          <li key={rf} className="flex items-center gap-1.5 text-muted">
            <svg width="18" height="8" aria-hidden>
              <line x1="0" x2="18" y1="4" y2="4" stroke={color(k)} strokeWidth="2" />
              <circle cx="9" cy="4" r="3" fill={color(k)} />
            </svg>
            readers ×{rf} (reader error factor)
          </li>
        ))}
      </ul>
    </ChartFigure>
  );
}

/** The sweep's two questions: does the protocol save MD time, does it cost quality. */
const questions: Omit<Parameters<typeof Panel>[0], "cells">[] = [
  {
    title: "MD-seconds ratio, protocol / manual (below 1 saves time)",
    get: (c) => c.timeRatio,
    reference: 1,
    referenceLabel: "ratio 1, same MD time",
    format: (v) => (Number.isFinite(v) ? v.toFixed(2) : "n/a"),
  },
  {
    title: "Dice difference, protocol − manual (below 0 costs quality)",
    get: (c) => c.diceDiff,
    reference: 0,
    referenceLabel: "no difference in Dice",
    format: (v) => (Number.isFinite(v) ? (v >= 0 ? "+" : "−") + Math.abs(v).toFixed(3) : "n/a"),
  },
];

/** The sweep's two questions side by side. */
export function SweepPlot({ cells }: { cells: SweepCell[] }) {
  return (
    <div className="grid gap-6 lg:grid-cols-2" data-testid="sweep-plot">
      {questions.map((q) => (
        <Panel key={q.title} cells={cells} {...q} />
      ))}
    </div>
  );
}
