import { describe, expect, it } from "vitest";
import { actionSeconds, DEFAULT_TIME_MODEL, expectedSeconds } from "../../../lib/simulate/time-model";

const work = (regions: number, boundary: number) => ({ regions, boundary, areaFraction: 0.05 });
const ctx = (
  over: Partial<{ seed: number; reader: { seed: number; speed: number }; imageKey: string; taskKey: string }> = {},
) => ({
  seed: 1,
  reader: { seed: 11, speed: 1 },
  imageKey: "img-1",
  taskKey: "MANUAL",
  ...over,
});

describe("time model", () => {
  it("drawing grows with regions and boundary length; one typical lesion costs about COCO's 79 s per polygon", () => {
    expect(expectedSeconds({ kind: "draw", work: work(2, 1) })).toBeGreaterThan(
      expectedSeconds({ kind: "draw", work: work(1, 1) }),
    );
    expect(expectedSeconds({ kind: "draw", work: work(1, 2) })).toBeGreaterThan(
      expectedSeconds({ kind: "draw", work: work(1, 1) }),
    );
    const one = expectedSeconds({ kind: "draw", work: work(1, 1) });
    expect(one).toBeGreaterThan(60);
    expect(one).toBeLessThan(100);
  });

  it("editing costs only the changed part: a small fix is far cheaper than drawing the whole mask", () => {
    const whole = expectedSeconds({ kind: "draw", work: work(2, 2) });
    const small = expectedSeconds({ kind: "edit", work: work(1, 0.2) });
    const big = expectedSeconds({ kind: "edit", work: work(2, 1.5) });
    expect(small).toBeLessThan(whole / 3);
    expect(big).toBeGreaterThan(small);
    expect(expectedSeconds({ kind: "edit", work: work(0, 0) })).toBe(DEFAULT_TIME_MODEL.editBaseSec);
  });

  it("votes grow with the number of candidates; a vote with none is an error", () => {
    expect(expectedSeconds({ kind: "vote", candidates: 5 })).toBeGreaterThan(
      expectedSeconds({ kind: "vote", candidates: 2 }),
    );
    expect(() => expectedSeconds({ kind: "vote", candidates: 0 })).toThrow();
  });

  it("applies per-reader, per-image and per-task variability, reproducibly and with mean about one", () => {
    const a = { kind: "draw" as const, work: work(2, 1.5) };
    expect(actionSeconds(a, ctx())).toBe(actionSeconds(a, ctx()));
    expect(actionSeconds(a, ctx())).not.toBe(actionSeconds(a, ctx({ imageKey: "img-2" })));
    expect(actionSeconds(a, ctx())).not.toBe(actionSeconds(a, ctx({ reader: { seed: 12, speed: 1 } })));
    expect(actionSeconds(a, ctx())).not.toBe(actionSeconds(a, ctx({ taskKey: "REDRAW:1" })));
    // The image factor is shared between readers: image difficulty is a property of the image.
    const slowImage = (key: string) =>
      [11, 12, 13, 14, 15].reduce(
        (s, r) => s + actionSeconds(a, ctx({ imageKey: key, reader: { seed: r, speed: 1 } })),
        0,
      );
    expect(slowImage("img-1")).not.toBeCloseTo(slowImage("img-2"), 0);
    let sum = 0;
    const n = 4000;
    for (let i = 0; i < n; i++)
      sum += actionSeconds(a, ctx({ imageKey: `i${i}`, reader: { seed: i, speed: 1 }, taskKey: `t${i}` }));
    expect(sum / n / expectedSeconds(a)).toBeGreaterThan(0.95);
    expect(sum / n / expectedSeconds(a)).toBeLessThan(1.05);
    const none = { ...DEFAULT_TIME_MODEL, readerSd: 0, imageSd: 0, taskSd: 0 };
    expect(actionSeconds(a, ctx(), none)).toBe(expectedSeconds(a));
  });

  it("scales with speed and rejects a non-positive speed", () => {
    const a = { kind: "vote" as const, candidates: 3 };
    expect(actionSeconds(a, ctx({ reader: { seed: 11, speed: 2 } }))).toBeCloseTo(actionSeconds(a, ctx()) / 2);
    expect(() => actionSeconds(a, ctx({ reader: { seed: 11, speed: 0 } }))).toThrow(/speed/);
  });
});
