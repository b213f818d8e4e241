import { describe, expect, it } from "vitest";
import { formatSweep, parseModelLevels, sweepSvg, sweepVerdicts, type SweepCell } from "../../../cli/simulation/sweep";

const iv = (estimate: number, half: number) => ({ estimate, lo: estimate - half, hi: estimate + half });
const cell = (readerFactor: number, x: number, ratio: number, dDice: number): SweepCell => ({
  readerFactor,
  model: `stub q=${x}`,
  x,
  timeRatio: iv(ratio, 0.05),
  diceDiff: iv(dDice, 0.01),
  f1Diff: iv(dDice, 0.01),
  riskyShare: 0,
  stage2Rejection: 0.1,
  interReaderDice: 0.7,
  complete: true,
});

describe("sensitivity sweep", () => {
  it("parses stub qualities and training budgets, and rejects anything else", () => {
    expect(parseModelLevels("0.3, 0.9").map((l) => l.models)).toEqual([
      { kind: "stub", quality: 0.3 },
      { kind: "stub", quality: 0.9 },
    ]);
    expect(parseModelLevels("epochs:5")[0]).toMatchObject({ models: { kind: "trained" }, epochs: 5, x: 5 });
    expect(() => parseModelLevels("1.5")).toThrow(/stub quality/);
    expect(() => parseModelLevels("fast")).toThrow(/sweep-models/);
  });

  it("says where the protocol starts to save time and where it costs quality", () => {
    const cells = [
      cell(1, 0.3, 1.2, -0.05),
      cell(1, 0.6, 0.97, -0.03),
      cell(1, 0.9, 0.7, 0.02),
      cell(2, 0.3, 1.1, 0.0),
      cell(2, 0.9, 1.0, 0.05),
    ];
    const v = sweepVerdicts(cells);
    expect(v[0]).toBe("readers ×1: saves MD time from stub q=0.9; costs quality (Dice CI below 0) up to stub q=0.6");
    expect(v[1]).toBe(
      "readers ×2: saves MD time from — (nowhere in this grid); costs quality (Dice CI below 0) nowhere in this grid",
    );
    const table = formatSweep(cells);
    expect(table.split("\n")).toHaveLength(1 + cells.length + 1 + 2);
    expect(table).toContain("1.20 [1.15, 1.25]");
    const svg = sweepSvg(cells);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(4);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });
});
