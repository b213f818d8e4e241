import { ChartFigure } from "./chart-figure";
import { compact, linear, niceTicks, spread } from "./scale";
import { YGrid } from "./y-grid";

export type LinePoint = { x: number; y: number | null };
export type LineSeries = { name: string; color: string; points: LinePoint[]; dashed?: boolean };

const W = 560,
  H = 200,
  M = { left: 48, right: 12, top: 10, bottom: 24 };

/** Lines over a numeric x axis (days as timestamps, epochs…); gaps where y is null. */
export function LineChart({
  title,
  series,
  xFormat = String,
  yFormat = compact,
  note,
}: {
  title: string;
  series: LineSeries[];
  xFormat?: (x: number) => string;
  yFormat?: (y: number) => string;
  note?: string;
}) {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter((y): y is number => y !== null);
  const table = {
    columns: ["", ...series.map((s) => s.name)],
    rows: xs.map((x) => [
      xFormat(x),
      ...series.map((s) => {
        const y = s.points.find((p) => p.x === x)?.y;
        return y === null || y === undefined ? "—" : yFormat(y);
      }),
    ]),
  };
  if (!ys.length)
    return (
      <ChartFigure title={title} note={note}>
        <p className="text-sm text-muted">No data yet.</p>
      </ChartFigure>
    );
  const yTicks = niceTicks(Math.min(0, ...ys), Math.max(...ys), 4);
  const y = linear([yTicks[0], yTicks[yTicks.length - 1]], [H - M.bottom, M.top]);
  const x =
    xs.length > 1 ? linear([xs[0], xs[xs.length - 1]], [M.left, W - M.right]) : () => (M.left + W - M.right) / 2;
  const path = (pts: LinePoint[]) => {
    let d = "",
      pen = false;
    for (const p of [...pts].sort((a, b) => a.x - b.x)) {
      if (p.y === null) {
        pen = false;
        continue;
      }
      d += `${pen ? "L" : "M"}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`;
      pen = true;
    }
    return d;
  };
  const last = (s: LineSeries) => [...s.points].reverse().find((p) => p.y !== null)?.y;
  return (
    <ChartFigure title={title} note={note} table={table}>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        className="w-full max-w-2xl"
        role="img"
        aria-label={`${title}. ${series
          .map((s) => {
            const l = last(s);
            return `${s.name}: latest ${l === undefined || l === null ? "none" : yFormat(l)}`;
          })
          .join("; ")}`}
      >
        <YGrid ticks={yTicks} y={y} left={M.left} right={W - M.right} format={yFormat} />
        {spread(xs, 6).map((t, i, all) => (
          <text
            key={t}
            x={x(t)}
            y={H - 6}
            textAnchor={all.length > 1 && i === 0 ? "start" : all.length > 1 && i === all.length - 1 ? "end" : "middle"}
            className="fill-muted text-[10px]"
          >
            {xFormat(t)}
          </text>
        ))}
        {series.map((s) => (
          <g key={s.name}>
            <path
              d={path(s.points)}
              fill="none"
              stroke={s.color}
              strokeWidth={2}
              strokeDasharray={s.dashed ? "5 4" : undefined}
            />
            {s.points.filter((p) => p.y !== null).length === 1
              ? s.points
                  .filter((p) => p.y !== null)
                  .map((p) => <circle key={p.x} cx={x(p.x)} cy={y(p.y!)} r={3} fill={s.color} />)
              : null}
          </g>
        ))}
      </svg>
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs">
        {series.map((s) => (
          <li key={s.name} className="flex items-center gap-1.5 text-muted">
            <svg width="18" height="6" aria-hidden>
              <line
                x1="0"
                x2="18"
                y1="3"
                y2="3"
                stroke={s.color}
                strokeWidth="2"
                strokeDasharray={s.dashed ? "4 3" : undefined}
              />
            </svg>
            {s.name}
          </li>
        ))}
      </ul>
    </ChartFigure>
  );
}
