import { ChartFigure } from "./chart-figure";
import { RowLabel } from "./row-label";
import { palette } from "./scale";

export type Bar = { label: string; value: number; display?: string; color?: string };

/** Horizontal bars, one per row, with the value printed at the end of each bar. */
export function BarChart({
  title,
  bars,
  max,
  unit = "",
  note,
}: {
  title: string;
  bars: Bar[];
  max?: number;
  unit?: string;
  note?: string;
}) {
  const top = max ?? Math.max(0, ...bars.map((b) => b.value));
  const text = (b: Bar) => b.display ?? `${b.value.toLocaleString("en")}${unit}`;
  // Room for the longest label and value at ~6.5 px per character of 11 px text.
  const row = 22,
    width = 560;
  const labelW = Math.min(200, 16 + 6.5 * Math.max(0, ...bars.map((b) => b.label.length)));
  const valueW = 16 + 6.5 * Math.max(0, ...bars.map((b) => text(b).length));
  const barW = Math.max(80, width - labelW - valueW);
  const height = Math.max(row, bars.length * row);
  return (
    <ChartFigure
      title={title}
      note={note}
      table={{ columns: ["", "Value"], rows: bars.map((b) => [b.label, text(b)]) }}
    >
      {bars.length ? (
        <svg
          viewBox={`0 0 ${width} ${height}`}
          className="w-full max-w-2xl"
          role="img"
          aria-label={`${title}: ${bars.map((b) => `${b.label} ${text(b)}`).join(", ")}`}
        >
          {bars.map((b, i) => {
            const w = top > 0 ? Math.max(0, (b.value / top) * barW) : 0;
            const y = i * row;
            return (
              <g key={b.label + i}>
                <RowLabel x={labelW - 8} y={y + row / 2}>
                  {b.label}
                </RowLabel>
                <rect x={labelW} y={y + 4} width={barW} height={row - 8} rx={2} fill="#1b1f26" />
                <rect
                  x={labelW}
                  y={y + 4}
                  width={w}
                  height={row - 8}
                  rx={2}
                  fill={b.color ?? palette[i % palette.length]}
                />
                <text
                  x={labelW + barW + 8}
                  y={y + row / 2}
                  dominantBaseline="middle"
                  className="fill-text text-[11px] tabular-nums"
                >
                  {text(b)}
                </text>
              </g>
            );
          })}
        </svg>
      ) : (
        <p className="text-sm text-muted">No data yet.</p>
      )}
    </ChartFigure>
  );
}
