import type { ReactNode } from "react";

/** A horizontal chart's row label: right-aligned at `x` (the bars' left edge less a gap), centred on the row. */
export function RowLabel({ x, y, children }: { x: number; y: number; children: ReactNode }) {
  return (
    <text x={x} y={y} textAnchor="end" dominantBaseline="middle" className="fill-muted text-[11px]">
      {children}
    </text>
  );
}
