// Where, along the model-quality axis of a sweep, the protocol starts to save MD time (time-ratio
// CI wholly below 1) and up to where it costs quality (Dice-difference CI wholly below 0), per
// reader level. Read by the CLI's table and the lead's simulation page.
import type { SweepCell } from "./types";

export type SweepThreshold = { readerFactor: number; savesFrom: SweepCell | null; costsUpTo: SweepCell | null };

export function sweepThresholds(cells: SweepCell[]): SweepThreshold[] {
  return [...new Set(cells.map((c) => c.readerFactor))].map((readerFactor) => {
    const row = cells.filter((c) => c.readerFactor === readerFactor).sort((a, b) => a.x - b.x);
    const saves = row.filter((c) => c.timeRatio.hi < 1);
    const costs = row.filter((c) => c.diceDiff.hi < 0);
    return { readerFactor, savesFrom: saves[0] ?? null, costsUpTo: costs[costs.length - 1] ?? null };
  });
}
