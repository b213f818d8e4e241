import { describe, expect, it } from "vitest";
import { assignSplit, SplitMemo } from "../../../lib/exports/splits";

// The per-export memo of the numbers drawn per patient must never change a split or fold:
// remembered, forgotten when full, or not used at all, every image lands in the same place.

describe("assignSplit with a SplitMemo", () => {
  it("gives the same split and fold as without it, across patients, recorded values and a memo that fills up", () => {
    const memo = new SplitMemo(7);
    let test = 0;
    for (let i = 0; i < 400; i++) {
      const item = {
        imageId: `img-${i}`,
        patient: i % 3 === 0 ? null : `P-${i % 23}`,
        split: i % 11 === 0 ? ("TEST" as const) : null,
        fold: i % 13 === 0 ? 4 : null,
      };
      const plain = assignSplit(item, 0.2, 5, 42);
      expect(assignSplit(item, 0.2, 5, 42, memo)).toEqual(plain);
      if (plain.split === "TEST") test++;
      if (item.split) expect(plain).toMatchObject({ split: "TEST", splitSource: "recorded" });
      if (item.fold !== null) expect(plain.fold).toBe(4);
    }
    expect(test).toBeGreaterThan(20);
    // Another seed draws other numbers: the memo keys them apart.
    const a = Array.from({ length: 50 }, (_, i) => assignSplit({ imageId: `x${i}`, patient: `Q${i}`, split: null, fold: null }, 0.5, 5, 1, memo));
    const b = Array.from({ length: 50 }, (_, i) => assignSplit({ imageId: `x${i}`, patient: `Q${i}`, split: null, fold: null }, 0.5, 5, 2, memo));
    expect(a).not.toEqual(b);
  });
});
