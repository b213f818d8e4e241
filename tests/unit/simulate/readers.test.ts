import { describe, expect, it } from "vitest";
import { readImage } from "../../../lib/simulate/latent-reading";
import { connectedComponents, dice, dilate, maskArea } from "../../../lib/simulate/mask-ops";
import { closestCandidate, drawFromReading, editFromCandidate } from "../../../lib/simulate/reader-draw";
import { DEFAULT_PANEL, type ReaderProfile } from "../../../lib/simulate/reader-profile";
import { votePairwise, voteNWay, wouldAccept } from "../../../lib/simulate/reader-vote";
import { generateCxr } from "../../../lib/simulate/synthetic-cxr";
import { sealTruth } from "../../../lib/simulate/truth";

const W = 128;
const base: ReaderProfile = {
  ...DEFAULT_PANEL[0],
  bias: 0,
  jitter: 0.3,
  missRate: 0,
  falsePositiveRate: 0,
  controlCallRate: 0,
  perceptionNoise: 0,
  positionBias: 0,
  fatigue: 0,
};

function disks(list: [number, number, number][]): Uint8Array {
  const m = new Uint8Array(W * W);
  for (const [cx, cy, r] of list)
    for (let y = 0; y < W; y++)
      for (let x = 0; x < W; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) m[y * W + x] = 1;
  return m;
}
const covid = (key: string, pixels?: Uint8Array, h = W) => ({
  key,
  width: W,
  height: h,
  pixels,
  label: "COVID" as const,
});

describe("latent readings", () => {
  it("miss faint lesions (judged on the image's own contrast) more often than conspicuous ones", () => {
    const big = disks([[40, 64, 22]]);
    const bright = disks([[95, 40, 7]]);
    const faint = disks([[95, 90, 7]]);
    const truth = disks([
      [40, 64, 22],
      [95, 40, 7],
      [95, 90, 7],
    ]);
    const pixels = new Uint8Array(W * W).fill(100);
    for (let p = 0; p < pixels.length; p++) if (big[p] || bright[p]) pixels[p] = 170;
    for (let p = 0; p < pixels.length; p++) if (faint[p]) pixels[p] = 101;
    let missedBright = 0;
    let missedFaint = 0;
    for (let s = 0; s < 60; s++) {
      const r = readImage(sealTruth(truth, W, W), covid(`img${s}`, pixels), { ...base, seed: 1000 + s, missRate: 0.6 });
      if (dice(r.mask, bright) === 0 || maskArea(Uint8Array.from(r.mask, (v, p) => (v && bright[p] ? 1 : 0))) < 10)
        missedBright++;
      if (maskArea(Uint8Array.from(r.mask, (v, p) => (v && faint[p] ? 1 : 0))) < 10) missedFaint++;
    }
    expect(missedFaint).toBeGreaterThan(missedBright + 10);
  });

  it("add false-positive regions at the reader's rate, and call controls positive at theirs", () => {
    const truth = sealTruth(disks([[64, 64, 15]]), W, W);
    let extra = 0;
    for (let s = 0; s < 40; s++) {
      const none = readImage(truth, covid(`a${s}`), { ...base, seed: s });
      const many = readImage(truth, covid(`a${s}`), { ...base, seed: s, falsePositiveRate: 1.5 });
      expect(connectedComponents(none.mask, W, W).count).toBe(1);
      extra += maskArea(many.mask) > maskArea(none.mask) * 1.1 ? 1 : 0;
    }
    expect(extra).toBeGreaterThan(20);
    const empty = sealTruth(new Uint8Array(W * W), W, W);
    const control = { key: "c", width: W, height: W, label: "CONTROL" as const };
    let calls = 0;
    for (let s = 0; s < 100; s++)
      calls += readImage(empty, { ...control, key: `c${s}` }, { ...base, seed: s, controlCallRate: 0.3 }).positive
        ? 1
        : 0;
    expect(calls).toBeGreaterThan(15);
    expect(calls).toBeLessThan(45);
    expect(readImage(empty, control, base).positive).toBe(false);
  });

  it("are reproducible per reader and image, and differ between readers", () => {
    const img = generateCxr({ seed: 5, width: W, label: "covid" });
    const t = sealTruth(img.mask, W, img.height);
    const a = readImage(t, covid("x", img.pixels, img.height), DEFAULT_PANEL[0]);
    expect(readImage(t, covid("x", img.pixels, img.height), DEFAULT_PANEL[0]).mask).toEqual(a.mask);
    expect(readImage(t, covid("x", img.pixels, img.height), DEFAULT_PANEL[1]).mask).not.toEqual(a.mask);
  });
});

describe("votes by perceived similarity to the reader's own reading", () => {
  const truthMask = disks([[64, 64, 20]]);
  const truth = sealTruth(truthMask, W, W);
  // A reader who sees the lesion much larger than it is.
  const overreader = { ...base, bias: 2 };
  const reading = readImage(truth, covid("v"), overreader);

  it("prefer the reader's own view over the truth itself (no oracle)", () => {
    const own = drawFromReading(reading, overreader);
    const exact = Uint8Array.from(truthMask); // a copy of the truth, outside the seal
    expect(dice(exact, truthMask)).toBe(1);
    expect(dice(own, truthMask)).toBeLessThan(0.9);
    expect(voteNWay(reading, [exact, own], overreader, { key: "k", allowNone: true }).choice).toBe(1);
    expect(votePairwise(reading, [exact, own], overreader, { key: "k", allowNone: true }).choice).toBe(1);
  });

  it("say none acceptable (Stage II only) when nothing is close enough to their reading", () => {
    const far = disks([[20, 20, 8]]);
    const empty = new Uint8Array(W * W);
    expect(voteNWay(reading, [far, empty], overreader, { key: "k", allowNone: true }).choice).toBeNull();
    expect(votePairwise(reading, [far, empty], overreader, { key: "k", allowNone: true }).choice).toBeNull();
    expect(voteNWay(reading, [far, empty], overreader, { key: "k", allowNone: false }).choice).not.toBeNull();
    expect(wouldAccept(reading, far, overreader, "k")).toBe(false);
    expect(wouldAccept(reading, drawFromReading(reading, overreader), overreader, "k")).toBe(true);
  });

  it("position bias favours the first candidate; fatigue makes choices noisier", () => {
    const a = drawFromReading(reading, overreader, "A");
    const b = drawFromReading(reading, overreader, "B");
    const firstShare = (r: ReaderProfile) => {
      let n = 0;
      for (let k = 0; k < 200; k++)
        n += voteNWay(reading, [a, b], r, { key: `p${k}`, allowNone: false }).choice === 0 ? 1 : 0;
      return n / 200;
    };
    expect(firstShare({ ...overreader, perceptionNoise: 0.05, positionBias: 0.08 })).toBeGreaterThan(
      firstShare({ ...overreader, perceptionNoise: 0.05 }) + 0.2,
    );
    const good = drawFromReading(reading, overreader);
    const worse = dilate(good, W, W, 3);
    const gap = dice(reading.mask, good) - dice(reading.mask, worse);
    expect(gap).toBeGreaterThan(0);
    const bestShare = (votesCast: number) => {
      let n = 0;
      for (let k = 0; k < 200; k++)
        n +=
          voteNWay(
            reading,
            [worse, good],
            { ...overreader, perceptionNoise: gap, fatigue: 1 },
            { key: `f${k}`, allowNone: false, votesCast },
          ).choice === 1
            ? 1
            : 0;
      return n / 200;
    };
    expect(bestShare(0)).toBeGreaterThan(bestShare(600) + 0.1);
  });
});

describe("redraws from a candidate", () => {
  const img = generateCxr({ seed: 9, width: W, label: "covid" });
  const reader = DEFAULT_PANEL[2];
  const H = img.height;
  const reading = readImage(sealTruth(img.mask, W, H), covid("e", img.pixels, H), reader);

  it("change only what disagrees with the reading; the work grows with the change", () => {
    const own = drawFromReading(reading, reader, "EDIT");
    const same = editFromCandidate(reading, own, reader, "EDIT");
    expect(same.work.areaFraction).toBe(0);
    expect(same.mask).toEqual(own);
    const slightly = editFromCandidate(reading, dilate(own, W, H, 3), reader, "EDIT");
    const much = editFromCandidate(reading, dilate(own, W, H, 9), reader, "EDIT");
    expect(much.work.areaFraction).toBeGreaterThan(slightly.work.areaFraction);
    expect(much.work.boundary).toBeGreaterThan(0);
    expect(dice(much.mask, reading.mask)).toBeGreaterThan(dice(dilate(own, W, H, 9), reading.mask));
    expect(closestCandidate(reading, [dilate(own, W, H, 9), own]).index).toBe(1);
  });
});
