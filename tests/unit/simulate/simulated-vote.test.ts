import { describe, expect, it } from "vitest";
import { dice, dilate } from "../../../lib/simulate/mask-ops";
import { simulateDrawing } from "../../../lib/simulate/simulated-md";
import { simulatePairwise, simulateVote } from "../../../lib/simulate/simulated-vote";
import { generateCxr } from "../../../lib/simulate/synthetic-cxr";

const img = generateCxr({ seed: 77, label: "covid", width: 256, height: 256 });
const { mask: truth, width: w, height: h } = img;
const graded = [10, 1, 6, 3].map((r) => dilate(truth, w, h, r));

describe("simulated vote", () => {
  it("a noiseless voter always picks the best candidate", () => {
    const v = simulateVote(truth, graded, { seed: 1, noise: 0 });
    expect(v.best).toBe(1);
    expect(v.choice).toBe(1);
    expect(v.dice[1]).toBeGreaterThan(v.dice[3]);
    const p = simulatePairwise(truth, graded, { seed: 1, noise: 0 });
    expect(p.choice).toBe(1);
    expect(p.duels).toHaveLength(3);
    expect(p.duels.at(-1)?.winner).toBe(1);
  });

  it("a noisy voter picks the best most of the time, and a near-best otherwise", () => {
    let hits = 0;
    let pairwiseHits = 0;
    let regret = 0;
    const trials = 200;
    for (let k = 0; k < trials; k++) {
      const v = simulateVote(truth, graded, { seed: k, noise: 0.04 }, { key: "img" });
      if (v.choice === v.best) hits++;
      regret += v.dice[v.best] - v.dice[v.choice ?? v.best];
      const p = simulatePairwise(truth, graded, { seed: k, noise: 0.04 }, { key: "img" });
      if (p.choice === p.best) pairwiseHits++;
    }
    expect(hits / trials).toBeGreaterThan(0.7);
    expect(pairwiseHits / trials).toBeGreaterThan(0.6);
    expect(regret / trials).toBeLessThan(0.05);
  });

  it("chooses among simulated MD drawings sensibly", () => {
    const drawings = [0.3, 1.2, 2.5].map((jitter, k) =>
      simulateDrawing(truth, w, h, { seed: 10 + k, bias: 0, jitter, missRate: 0.2 }, { pixels: img.pixels }),
    );
    let best = 0;
    for (let k = 0; k < 100; k++) {
      const v = simulateVote(truth, drawings, { seed: k });
      if (v.choice === v.best) best++;
    }
    expect(best).toBeGreaterThan(50);
  });

  it("answers none acceptable when every candidate is poor", () => {
    const empty = new Uint8Array(truth.length);
    const v = simulateVote(truth, [empty, empty], { seed: 1, noise: 0.02 });
    expect(v.choice).toBeNull();
    expect(v.dice).toEqual([0, 0]);
    expect(simulatePairwise(truth, [empty, empty], { seed: 1 }).choice).toBeNull();
    expect(simulateVote(truth, [empty], { seed: 1, noise: 0, acceptThreshold: 0 }).choice).toBe(0);
    expect(simulateVote(truth, graded, { seed: 1, noise: 0, acceptThreshold: 0.99 }).choice).toBeNull();
  });

  it("is reproducible per voter and key, and rejects an empty ballot", () => {
    const a = simulateVote(truth, graded, { seed: 5, noise: 0.1 }, { key: 1 });
    expect(simulateVote(truth, graded, { seed: 5, noise: 0.1 }, { key: 1 })).toEqual(a);
    expect(simulateVote(truth, graded, { seed: 5, noise: 0.1 }, { key: 2 }).perceived).not.toEqual(a.perceived);
    expect(() => simulateVote(truth, [], { seed: 1 })).toThrow();
    expect(dice(truth, graded[1])).toBeGreaterThan(0.8);
  });
});
