import type { SweepCell } from "../../lib/simulate/types";

/** An interval of ± `half` around `estimate`, as the simulation's reports carry them. */
export const iv = (estimate: number, half = 0.02) => ({ estimate, lo: estimate - half, hi: estimate + half });

/** A finished sweep cell of a stub model of quality `x`, with the given time ratio and ΔDice. */
export const stubSweepCell = (
  projectId: string,
  readerFactor: number,
  x: number,
  ratio: number,
  dDice: number,
): SweepCell => ({
  readerFactor,
  model: `stub q=${x}`,
  x,
  timeRatio: iv(ratio, 0.05),
  diceDiff: iv(dDice, 0.01),
  f1Diff: iv(dDice, 0.01),
  riskyShare: 0.1,
  stage2Rejection: 0.2,
  interReaderDice: 0.7,
  complete: true,
  projectId,
});
