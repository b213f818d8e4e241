import { describe, expect, it } from "vitest";
import {
  fleissKappa,
  median,
  mergeAggregates,
  aggregateItems,
  kappaFromAggregate,
  winRates,
} from "../../lib/dashboard/stats";
import { cumulativeSeries, labourFromTotals } from "../../lib/dashboard/labour";
import { parseProgress } from "../../lib/dashboard/run-rows";
import { meanChosenDice } from "../../lib/dashboard/chosen-dice";
import { stageStatus, type StageFacts } from "../../lib/dashboard/next-step";
import { imageStates } from "../../lib/dashboard/types";

describe("median", () => {
  it("takes the middle value, or the mean of the two middle ones", () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });
});

describe("Fleiss' kappa", () => {
  it("matches a hand-worked example with three raters per item", () => {
    // P_i = 1, 1/3, 1, 1/3 → P̄ = 2/3; p(yes) = p(no) = 1/2 → P̄e = 1/2; κ = (2/3 − 1/2)/(1/2) = 1/3.
    const k = fleissKappa([{ yes: 3 }, { yes: 2, no: 1 }, { no: 3 }, { yes: 1, no: 2 }]);
    expect(k.items).toBe(4);
    expect(k.ratings).toBe(12);
    expect(k.unanimous).toBe(2);
    expect(k.percentAgreement).toBeCloseTo(2 / 3, 12);
    expect(k.expectedAgreement).toBeCloseTo(0.5, 12);
    expect(k.kappa).toBeCloseTo(1 / 3, 12);
  });

  it("is 1 for perfect agreement across categories and negative for systematic disagreement", () => {
    expect(fleissKappa([{ a: 2 }, { b: 2 }]).kappa).toBeCloseTo(1, 12);
    // Every pair disagrees: P̄ = 0, P̄e = 1/2 → κ = −1.
    expect(
      fleissKappa([
        { a: 1, b: 1 },
        { a: 1, b: 1 },
      ]).kappa,
    ).toBeCloseTo(-1, 12);
  });

  it("skips items with fewer than two raters and lets each item use its own rater count", () => {
    // {a:2}: P = 1; {a:1,b:2}: P = 1/3; {b:1} is skipped. P̄ = 2/3; p = (3/5, 2/5) → P̄e = 13/25; κ = 11/36.
    const k = fleissKappa([{ a: 2 }, { a: 1, b: 2 }, { b: 1 }]);
    expect(k.items).toBe(2);
    expect(k.ratings).toBe(5);
    expect(k.kappa).toBeCloseTo(11 / 36, 12);
  });

  it("is undefined (null) when every rating falls in one category or there is nothing to rate", () => {
    const one = fleissKappa([{ a: 3 }, { a: 2 }]);
    expect(one.percentAgreement).toBe(1);
    expect(one.kappa).toBeNull();
    expect(fleissKappa([{ a: 1 }]).kappa).toBeNull();
    expect(fleissKappa([]).items).toBe(0);
  });

  it("pools stages by adding their aggregates", () => {
    const a: Record<string, number>[] = [{ x: 3 }, { x: 1, y: 2 }];
    const b: Record<string, number>[] = [{ y: 2 }, { x: 1, z: 1 }];
    expect(kappaFromAggregate(mergeAggregates(aggregateItems(a), aggregateItems(b)))).toEqual(
      fleissKappa([...a, ...b]),
    );
  });
});

describe("win rates", () => {
  it("divides wins by appearances, best first, dropping sources that never appeared", () => {
    const r = winRates([
      { source: "dla", wins: 1, appearances: 4 },
      { source: "unet", wins: 2, appearances: 4 },
      { source: "ghost", wins: 0, appearances: 0 },
      { source: "manual", wins: 1, appearances: 4 },
    ]);
    expect(r.map((x) => [x.source, x.rate])).toEqual([
      ["unet", 0.5],
      ["dla", 0.25],
      ["manual", 0.25],
    ]);
  });
});

describe("labour", () => {
  it("compares MD-seconds per accepted mask with the median hand drawing", () => {
    const l = labourFromTotals({
      drawMs: 600_000,
      voteMs: 300_000,
      confirmMs: 100_000,
      acceptedMasks: 20,
      medianDrawMs: 90_000,
      drawingsTimed: 8,
    });
    expect(l).toMatchObject({
      mdSeconds: 1000,
      secondsPerAcceptedMask: 50,
      baselineSecondsPerMask: 90,
      savedSeconds: 40,
    });
    expect(l.savedFraction).toBeCloseTo(40 / 90, 12);
    expect(
      labourFromTotals({ drawMs: 0, voteMs: 0, confirmMs: 0, acceptedMasks: 0, medianDrawMs: null, drawingsTimed: 0 })
        .secondsPerAcceptedMask,
    ).toBeNull();
  });

  it("accumulates the daily series in date order, filling quiet days", () => {
    const s = cumulativeSeries([
      { day: "2025-01-03", acceptedMasks: 2, acceptedByLabel: 0, masksDrawn: 0, votes: 4, mdMs: 20_000 },
      { day: "2025-01-01", acceptedMasks: 0, acceptedByLabel: 5, masksDrawn: 2, votes: 0, mdMs: 180_000 },
    ]);
    expect(s.map((p) => [p.day, p.secondsPerMask, p.votes])).toEqual([
      ["2025-01-01", null, 0],
      ["2025-01-02", null, 0],
      ["2025-01-03", 100, 4],
    ]);
  });
});

describe("training progress", () => {
  it("turns the worker's progress event into a fraction of the run", () => {
    const p = parseProgress(
      { type: "progress", epoch: 2, epochs: 4, step: 25, steps: 100, loss: 0.4, eta_s: 300 },
      "RUNNING",
    )!;
    expect(p.fraction).toBeCloseTo(1.25 / 4, 12);
    expect(p.etaSeconds).toBe(300);
    expect(parseProgress({ type: "epoch", epoch: 4, epochs: 4, train_loss: 0.2 }, "RUNNING")!.fraction).toBe(1);
    expect(parseProgress({ error: "boom" }, "FAILED")).toMatchObject({ error: "boom", fraction: null });
    expect(parseProgress(null, "QUEUED")).toBeNull();
  });
});

describe("Dice between chosen masks", () => {
  it("averages pairwise Dice per image, then over images, loading only masks that differ", async () => {
    const px = { a: Uint8Array.from([1, 1, 0, 0]), b: Uint8Array.from([1, 0, 0, 0]) };
    const loads: string[] = [];
    const load = async (k: string) => {
      loads.push(k);
      return px[k as "a" | "b"];
    };
    const m = (mask: string, key: string, sha = mask) => ({ mask, key, sha });
    const r = await meanChosenDice(
      [
        { stage: "STAGE_I", chosen: [m("1", "a"), m("1", "a"), m("2", "b")] }, // (1 + 2/3 + 2/3)/3
        { stage: "STAGE_II", chosen: [m("3", "a", "same"), m("4", "b", "same")] }, // identical bytes → 1
      ],
      load,
    );
    expect(r.map((x) => [x.stage, x.images, x.pairs])).toEqual([
      ["STAGE_I", 1, 3],
      ["STAGE_II", 1, 1],
      ["ALL", 2, 4],
    ]);
    expect(r[0].meanDice).toBeCloseTo(7 / 9, 12);
    expect(r[2].meanDice).toBeCloseTo((7 / 9 + 1) / 2, 12);
    expect(loads.sort()).toEqual(["a", "b"]);
  });
});

describe("next step", () => {
  const facts = (over: Partial<StageFacts>): StageFacts => ({
    round: null,
    byState: Object.fromEntries(imageStates.map((s) => [s, 0])) as StageFacts["byState"],
    inS1: 0,
    hasCovid: true,
    subsetSized: true,
    stage1Blockers: [],
    runs: { total: 0, succeeded: 0, running: 0, failed: 0 },
    pendingPredictJobs: 0,
    acceptedMasks: 0,
    ...over,
  });
  it("walks the protocol: subset, Stage I, training, prediction, next round, done", () => {
    expect(stageStatus(facts({})).next).toEqual({
      action: "select-subset",
      label: "Select Stage-I subset",
      enabled: true,
    });
    expect(stageStatus(facts({ inS1: 500 })).next?.action).toBe("start-stage1");
    const training = stageStatus(
      facts({
        round: { id: "r", number: 1, stage: "STAGE_I", status: "TRAINING" },
        runs: { total: 15, succeeded: 10, running: 4, failed: 1 },
        pendingPredictJobs: 3,
      }),
    );
    expect(training.next?.action).toBeNull();
    expect(training.blockers.map((b) => b.message)).toEqual([
      "5 training runs of 15 not finished",
      "1 run failed: retry its job below",
      "3 prediction jobs still to run",
    ]);
    const closed = facts({ round: { id: "r", number: 2, stage: "STAGE_II", status: "CLOSED" }, acceptedMasks: 10 });
    closed.byState.AWAITING_CANDIDATES = 7;
    expect(stageStatus(closed).next).toEqual({
      action: "start-stage2-round",
      label: "Start Stage-II round 3",
      enabled: true,
    });
    closed.byState.AWAITING_CANDIDATES = 0;
    expect(stageStatus(closed).next).toBeNull();
  });
});
