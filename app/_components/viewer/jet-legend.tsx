export type LegendStop = { p: number; color: string };

/** The infection map's colour bar, from probability 0 to 1. */
export function JetLegend({ stops }: { stops: LegendStop[] }) {
  const gradient = `linear-gradient(to right, ${stops.map((s) => `${s.color} ${(s.p * 100).toFixed(1)}%`).join(", ")})`;
  return (
    <div className="w-full max-w-xs text-xs text-muted" aria-label="Infection probability colour scale">
      <div className="h-2.5 rounded-sm" style={{ background: gradient }} />
      <div className="flex justify-between">
        <span>0</span>
        <span>0.5</span>
        <span>1</span>
      </div>
    </div>
  );
}
