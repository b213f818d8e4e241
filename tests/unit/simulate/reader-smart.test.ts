import { describe, expect, it } from "vitest";
import { readImage } from "../../../lib/simulate/latent-reading";
import { DEFAULT_PANEL } from "../../../lib/simulate/reader-profile";
import { drawFromReading, maskWork } from "../../../lib/simulate/reader-draw";
import { smartDrawFromReading, type ClickStep } from "../../../lib/simulate/reader-smart";
import { dice } from "../../../lib/simulate/mask-ops";
import { generateCxr } from "../../../lib/simulate/synthetic-cxr";
import { sealTruth, unsealTruth } from "../../../lib/simulate/truth";
import { DEFAULT_TIME_MODEL, expectedSeconds } from "../../../lib/simulate/time-model";
import type { Click } from "../../../lib/assist/types";

const img = generateCxr({ seed: 91, width: 128, label: "covid" });
const truth = sealTruth(img.mask, img.width, img.height);
const reader = DEFAULT_PANEL[0];
const reading = readImage(
  truth,
  { key: "smart", width: img.width, height: img.height, pixels: img.pixels, label: "COVID" },
  reader,
);
const intent = drawFromReading(reading, reader, "MANUAL");

/** A click model that knows the MD's intended mask's regions: a click fills (or clears) the region under it. */
function regionModel(target: Uint8Array, width: number): ClickStep & { calls: Click[][] } {
  const calls: Click[][] = [];
  const step = async (clicks: Click[], current: Uint8Array) => {
    calls.push(clicks);
    const out = current.slice();
    const c = clicks.at(-1)!;
    // Flood fill the 4-connected component of `target === c.positive` under the click.
    const want = c.positive ? 1 : 0;
    const seen = new Uint8Array(target.length);
    const stack = [c.y * width + c.x];
    while (stack.length) {
      const p = stack.pop()!;
      if (seen[p] || (target[p] ? 1 : 0) !== want) continue;
      seen[p] = 1;
      out[p] = want;
      const x = p % width;
      if (x > 0) stack.push(p - 1);
      if (x < width - 1) stack.push(p + 1);
      if (p >= width) stack.push(p - width);
      if (p + width < target.length) stack.push(p + width);
    }
    return out;
  };
  return Object.assign(step, { calls });
}

describe("a simulated MD with the Smart tool", () => {
  it("clicks toward their own intended mask, stops when satisfied, and pays per click plus the hand fix", async () => {
    const model = regionModel(intent, img.width);
    const r = await smartDrawFromReading(reading, reader, model, { maxClicks: 10, satisfiedDice: 0.9 });
    expect(r.clicks).toBeGreaterThan(0);
    expect(r.clicks).toBeLessThanOrEqual(10);
    expect(r.proposalDice).toBeGreaterThanOrEqual(0.9);
    expect(dice(r.mask, intent)).toBeGreaterThan(0.9);
    // Every click lies where the proposal then disagreed with the intent (never a peek at the truth).
    for (const clicks of model.calls) {
      const c = clicks.at(-1)!;
      expect(intent[c.y * img.width + c.x] ? 1 : 0).toBe(c.positive ? 1 : 0);
    }
    const smart = expectedSeconds({ kind: "smart", clicks: r.clicks, work: r.work });
    const hand = expectedSeconds({ kind: "draw", work: maskWork(intent, img.width, img.height) });
    const t = DEFAULT_TIME_MODEL;
    expect(smart).toBeCloseTo(
      t.smartBaseSec +
        (t.smartClickSec + t.smartWaitSec) * r.clicks +
        t.perRegionSec * r.work.regions +
        t.traceSecPerSize * t.editTraceShare * r.work.boundary,
      9,
    );
    expect(smart).toBeLessThan(hand);
  });

  it("undoes a click that made the proposal worse and finishes by hand", async () => {
    // Starting from a candidate with only the last third of the intent's pixels; the model empties it.
    const start = intent.slice();
    const fg = intent.reduce((a, b) => a + (b ? 1 : 0), 0);
    for (let p = 0, seen = 0; p < start.length && seen < (2 * fg) / 3; p++) if (start[p]) (start[p] = 0), seen++;
    const worse: ClickStep = async () => new Uint8Array(intent.length);
    const r = await smartDrawFromReading(reading, reader, worse, { maxClicks: 10, start });
    expect(r.clicks).toBe(1);
    expect(r.proposalDice).toBeCloseTo(dice(intent, start), 12);
    expect(r.proposalDice).toBeLessThan(0.9);
    expect(dice(r.mask, intent)).toBeGreaterThan(0.9);
    expect(r.work.boundary).toBeGreaterThan(0);
  });

  it("refuses the truth as a starting mask or as a proposal", async () => {
    const opened = unsealTruth(truth);
    await expect(
      smartDrawFromReading(reading, reader, regionModel(intent, img.width), { start: opened }),
    ).rejects.toThrow(/ground truth/);
    await expect(smartDrawFromReading(reading, reader, async () => opened)).rejects.toThrow(/ground truth/);
  });
});
