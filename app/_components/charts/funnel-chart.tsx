import { ChartFigure } from "./chart-figure";
import { RowLabel } from "./row-label";
import { colors } from "./scale";

export type FunnelStep = { label: string; value: number };

/** Centred bars narrowing from the first step, each with its share of the first. */
export function FunnelChart({ title, steps }: { title: string; steps: FunnelStep[] }) {
  const first = steps[0]?.value ?? 0;
  const row = 30,
    width = 560,
    labelW = 190;
  const barW = width - labelW;
  const share = (v: number) => (first ? `${((100 * v) / first).toFixed(1)}%` : "—");
  return (
    <ChartFigure
      title={title}
      table={{
        columns: ["Step", "Images", "Of imported"],
        rows: steps.map((s) => [s.label, s.value.toLocaleString("en"), share(s.value)]),
      }}
    >
      <svg
        viewBox={`0 0 ${width} ${steps.length * row}`}
        className="w-full max-w-2xl"
        role="img"
        aria-label={`${title}: ${steps.map((s) => `${s.label} ${s.value.toLocaleString("en")}`).join(", ")}`}
      >
        {steps.map((s, i) => {
          const w = first ? Math.max(2, (s.value / first) * barW) : 2;
          const y = i * row;
          return (
            <g key={s.label}>
              <RowLabel x={labelW - 8} y={y + row / 2}>
                {s.label}
              </RowLabel>
              <rect
                x={labelW + (barW - w) / 2}
                y={y + 3}
                width={w}
                height={row - 6}
                rx={3}
                fill={colors.accent}
                opacity={1 - i * 0.15}
              />
              <text
                x={labelW + barW / 2}
                y={y + row / 2}
                textAnchor="middle"
                dominantBaseline="middle"
                className="fill-ink text-[11px] font-semibold tabular-nums"
              >
                {s.value.toLocaleString("en")} · {share(s.value)}
              </text>
            </g>
          );
        })}
      </svg>
    </ChartFigure>
  );
}
