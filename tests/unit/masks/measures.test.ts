import { describe, expect, it } from "vitest";
import { boundingBox, confusionCounts, dice, iou, maskArea } from "../../../lib/masks/measures";
import { AppError } from "../../../lib/errors/app-error";

// pred  1 1 0 0 1 0 0 1
// truth 1 0 0 1 1 1 0 0   → TP at 0,4; FP at 1,7; FN at 3,5; TN at 2,6
const pred = Uint8Array.of(1, 1, 0, 0, 1, 0, 0, 1);
const truth = Uint8Array.of(1, 0, 0, 1, 1, 1, 0, 0);

describe("mask measures", () => {
  it("confusion counts", () => {
    expect(confusionCounts(pred, truth)).toEqual({ tp: 2, fp: 2, fn: 2, tn: 2 });
    expect(confusionCounts(Uint8Array.of(255, 0), Uint8Array.of(1, 1))).toEqual({ tp: 1, fp: 0, fn: 1, tn: 0 });
  });

  it("area, dice and IoU", () => {
    expect(maskArea(pred)).toBe(4);
    expect(dice(pred, truth)).toBeCloseTo((2 * 2) / (4 + 4), 12); // 0.5
    expect(iou(pred, truth)).toBeCloseTo(2 / 6, 12);
    expect(dice(truth, truth)).toBe(1);
    expect(iou(pred, Uint8Array.of(0, 0, 1, 1, 0, 1, 1, 0))).toBe(0);
    expect(dice(new Uint8Array(4), new Uint8Array(4))).toBe(1);
    expect(iou(new Uint8Array(4), new Uint8Array(4))).toBe(1);
  });

  it("bounding box", () => {
    // 4×3:
    // 0 0 0 0
    // 0 1 0 0
    // 0 0 1 1
    const m = Uint8Array.of(0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1);
    expect(boundingBox(m, 4, 3)).toEqual({ x: 1, y: 1, width: 3, height: 2 });
    expect(boundingBox(new Uint8Array(12), 4, 3)).toBeNull();
    expect(boundingBox(Uint8Array.of(1), 1, 1)).toEqual({ x: 0, y: 0, width: 1, height: 1 });
  });

  it("rejects masks of different sizes", () => {
    expect(() => dice(pred, new Uint8Array(3))).toThrow(AppError);
    expect(() => boundingBox(pred, 3, 3)).toThrow(/expected 3×3/);
  });
});
