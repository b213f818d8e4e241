import { colors, type Scale } from "./scale";

/** Horizontal grid lines with their value labels at the left margin, shared by the line charts. */
export function YGrid({
  ticks,
  y,
  left,
  right,
  format,
}: {
  ticks: number[];
  y: Scale;
  left: number;
  right: number;
  format: (v: number) => string;
}) {
  return (
    <>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={left} x2={right} y1={y(t)} y2={y(t)} stroke={colors.line} strokeWidth={1} />
          <text
            x={left - 6}
            y={y(t)}
            textAnchor="end"
            dominantBaseline="middle"
            className="fill-muted text-[10px] tabular-nums"
          >
            {format(t)}
          </text>
        </g>
      ))}
    </>
  );
}
