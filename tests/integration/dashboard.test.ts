import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { chosenMaskDice, liveStatus, loadDashboard, loadDashboardBySlug } from "../../lib/dashboard/queries";
import { retryProjectJob, selectSubsetFromSettings } from "../../lib/dashboard/mutations";
import { startStage1 } from "../../lib/protocol/mutations";
import type { Dashboard } from "../../lib/dashboard/types";
import { makeProject, makeUser } from "../setup/fixtures";
import { seedProtocolState, type SeededProject } from "../setup/seed-protocol-state";

// The seeded history (tests/setup/seed-protocol-state.ts), one image per case:
// Stage I (3 voters): MMM, 000, 010, 22M, M12 (lead settled), NNM (redrawn by md3).
// Stage II: 000, 113, 222, 33N, 044, 001, 11-, ---, NNN, 02N. Controls: 4 by label; 2 late imports.
let seeded: SeededProject;
let dash: Dashboard;
const NO_WORKER_JOB = "dashboard-test-noop";

beforeAll(async () => {
  seeded = await seedProtocolState({ failedJobName: NO_WORKER_JOB });
  dash = await loadDashboard(seeded.lead.actor, seeded.projectId);
});

const byName = (d: Dashboard, name: string) => d.mds.find((m) => m.name === name)!;

describe("lead dashboard figures on a seeded project", () => {
  it("counts images by state, in the subset and down the funnel", () => {
    expect(dash.progress.total).toBe(22);
    expect(dash.progress.byState).toEqual({
      UNANNOTATED: 2,
      AWAITING_MANUAL: 0,
      AWAITING_CANDIDATES: 0,
      AWAITING_VOTE: 2,
      AWAITING_REDRAW: 1,
      AWAITING_CONFIRMATION: 0,
      DISPUTED: 1,
      ACCEPTED: 16,
    });
    expect(dash.progress.inS1).toBe(6);
    expect(dash.progress.funnel.map((f) => f.value)).toEqual([22, 20, 20, 16]);
  });

  it("names the round and what blocks the next one", () => {
    expect(dash.stage.headline).toBe("Round 2 · Stage II · voting");
    expect(dash.stage.next).toEqual({ action: "start-stage2-round", label: "Start Stage-II round 3", enabled: false });
    expect(dash.stage.blockers.map((b) => [b.code, b.count])).toEqual([
      ["AWAITING_VOTE", 2],
      ["AWAITING_REDRAW", 1],
      ["DISPUTED", 1],
    ]);
    expect(dash.stage.blockers[0].message).toBe("2 images wait for votes");
    expect(dash.stage.runs).toEqual({ total: 5, succeeded: 5, running: 0, failed: 0 });
  });

  it("gives each MD's drawings, votes, medians and last activity", () => {
    expect(dash.mds.map((m) => m.name)).toEqual(["md1", "md2", "md3"]);
    const [md1, md2, md3] = ["md1", "md2", "md3"].map((n) => byName(dash, n));
    expect([md1.masksDrawn, md1.votesCast, md1.medianDrawSeconds, md1.medianVoteSeconds]).toEqual([3, 15, 80, 5]);
    expect([md2.masksDrawn, md2.votesCast, md2.medianDrawSeconds, md2.medianVoteSeconds]).toEqual([3, 15, 90, 7]);
    expect([md3.masksDrawn, md3.votesCast, md3.medianDrawSeconds, md3.medianVoteSeconds]).toEqual([1, 14, 150, 9]);
    expect([md1.voteSeconds, md2.voteSeconds, md3.voteSeconds]).toEqual([83, 113, 131]);
    expect(md3.lastActive).toBe("2025-03-09T00:18:50.000Z");
    expect(md1.lastActive).toBe("2025-03-09T00:18:10.000Z");
  });

  it("works out the labour per accepted mask against the hand-drawing baseline", () => {
    // 660 s drawing + 327 s voting over 12 accepted masks; baseline = median drawing 90 s.
    expect(dash.labour.mdSeconds).toBe(987);
    expect(dash.labour.acceptedMasks).toBe(12);
    expect(dash.labour.secondsPerAcceptedMask).toBeCloseTo(82.25, 10);
    expect(dash.labour.baselineSecondsPerMask).toBe(90);
    expect(dash.labour.savedSeconds).toBeCloseTo(7.75, 10);
    expect(dash.labour.savedFraction).toBeCloseTo(7.75 / 90, 10);
    // One point per day from the first to the last, quiet days included.
    expect(dash.series.map((p) => p.day)).toEqual([
      "2025-03-03",
      "2025-03-04",
      "2025-03-05",
      "2025-03-06",
      "2025-03-07",
      "2025-03-08",
      "2025-03-09",
    ]);
    expect(dash.series.map((p) => p.secondsPerMask)).toEqual([null, null, null, 125.4, 129.5, 129.5, 82.25]);
    expect(dash.series.map((p) => p.votes)).toEqual([0, 0, 0, 18, 0, 0, 26]);
    expect(dash.series.map((p) => p.masksDrawn)).toEqual([0, 6, 0, 0, 1, 0, 0]);
    expect(dash.series[0].acceptedByLabel).toBe(4);
  });

  it("measures agreement: percent agreement and Fleiss' κ per stage and pooled", () => {
    const [s1, s2, all] = dash.agreement;
    expect(s1.stage).toBe("STAGE_I");
    expect(s1.stats).toMatchObject({ items: 6, ratings: 18, unanimous: 2 });
    expect(s1.stats.percentAgreement).toBeCloseTo(0.5, 12);
    expect(s1.stats.kappa).toBeCloseTo(14 / 41, 12);
    expect(s1.categories).toEqual({
      manual: 6,
      "machine:unet/densenet121": 5,
      "machine:unetpp/densenet121": 2,
      "machine:dla/densenet121": 3,
      none: 2,
    });
    expect(s2.stats).toMatchObject({ items: 9, ratings: 26, unanimous: 4 });
    expect(s2.stats.percentAgreement).toBeCloseTo(16 / 27, 12);
    expect(s2.stats.kappa).toBeCloseTo(1840 / 3699, 12);
    expect(all.stage).toBe("ALL");
    expect(all.stats.items).toBe(15);
    expect(all.stats.percentAgreement).toBeCloseTo(5 / 9, 12);
    expect(all.stats.kappa).toBeCloseTo(1655 / 3591, 12);
  });

  it("lists the disputed image with its votes", () => {
    expect(dash.disputed.total).toBe(1);
    const row = dash.disputed.rows[0];
    expect(dash.disputed.rows).toEqual([
      expect.objectContaining({ round: 2, votes: 3, distinctChoices: 3, noneVotes: 1 }),
    ]);
    // Listed by Tandem id, never by the uploaded file name (which may carry patient details).
    expect(row.name).toBe(`image ${row.imageId.replace(/-/g, "").slice(-8)}`);
  });

  it("computes each architecture's win rate among consensus decisions", () => {
    const rate = (stage: string, source: string) => {
      const w = dash.winRates.find((r) => r.stage === stage && r.source === source)!;
      return [w.wins, w.appearances];
    };
    expect(["manual", "unet", "unetpp", "dla"].map((s) => rate("STAGE_I", s))).toEqual([
      [1, 4],
      [2, 4],
      [0, 4],
      [1, 4],
    ]);
    expect(["unet", "unetpp", "dla"].map((s) => rate("STAGE_II", s))).toEqual([
      [3, 6],
      [2, 6],
      [1, 6],
    ]);
    expect(["manual", "unet", "unetpp", "dla"].map((s) => rate("ALL", s))).toEqual([
      [1, 4],
      [5, 10],
      [2, 10],
      [2, 10],
    ]);
    expect(dash.winRates.filter((r) => r.stage === "ALL").map((r) => r.source)).toEqual([
      "unet",
      "manual",
      "dla",
      "unetpp",
    ]);
  });

  it("shares Stage-I choices between the manual and the machine masks", () => {
    expect(dash.humanVsMachine).toEqual({
      votesManual: 6,
      votesMachine: 10,
      machineShare: 0.625,
      consensusManual: 1,
      consensusMachine: 3,
    });
  });

  it("reads each run's metrics and loss curve", () => {
    expect(dash.runs).toHaveLength(11);
    expect(dash.runs.slice(0, 5).every((r) => r.stage === "STAGE_II")).toBe(true);
    const unetFold1 = dash.runs.find((r) => r.stage === "STAGE_I" && r.arch === "unet" && r.fold === 1)!;
    expect(unetFold1.metrics?.pixel?.f1).toEqual({ value: 0.71, ci: 0.01 });
    expect(unetFold1.metrics?.pixel).not.toHaveProperty("curves");
    expect(unetFold1.metrics?.curve.map((c) => c.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(unetFold1.metrics?.curve[0].train).toBeCloseTo(0.5, 12);
    expect(dash.live.runs).toHaveLength(5);
  });

  it("measures how similar the chosen masks are (Dice)", async () => {
    const d = await chosenMaskDice(seeded.lead.actor, seeded.projectId);
    expect(d.eligibleImages).toBe(13);
    expect(d.sampledImages).toBe(13);
    const [s1, s2, all] = d.byStage;
    expect([s1.stage, s1.images, s1.pairs]).toEqual(["STAGE_I", 5, 15]);
    expect(s1.meanDice).toBeCloseTo(0.854814814814815, 12);
    expect([s2.stage, s2.images, s2.pairs]).toEqual(["STAGE_II", 8, 18]);
    expect(s2.meanDice).toBeCloseTo(0.834680134680135, 12);
    expect(all.meanDice).toBeCloseTo(0.842424242424242, 12);
  });

  it("reports live training progress, jobs and workers", async () => {
    const run = dash.live.runs[0];
    await db().modelRun.update({
      where: { id: run.id },
      data: {
        status: "RUNNING",
        progress: { type: "progress", epoch: 3, epochs: 5, step: 5, steps: 10, loss: 0.3, eta_s: 120 },
      },
    });
    try {
      const live = await liveStatus(seeded.lead.actor, seeded.projectId);
      const p = live.runs.find((r) => r.id === run.id)!.progress!;
      expect(p).toMatchObject({ epoch: 3, epochs: 5, loss: 0.3, etaSeconds: 120 });
      expect(p.fraction).toBeCloseTo(0.5, 12);
      expect(live.jobCounts).toMatchObject({ FAILED: 1, QUEUED: 1, SUCCEEDED: 11 });
      expect(live.jobs.map((j) => j.status)).toEqual(["FAILED", "QUEUED"]);
      expect(live.workers.map((w) => w.id)).toContain(`seed-worker-${seeded.projectId.slice(0, 8)}`);
    } finally {
      await db().modelRun.update({ where: { id: run.id }, data: { status: "SUCCEEDED" } });
    }
  });

  it("records every query's time", () => {
    for (const k of ["progress", "mds", "series", "agreement", "winRates", "runs", "total"])
      expect(dash.timings[k]).toBeGreaterThanOrEqual(0);
  });
});

describe("dashboard access", () => {
  it("is for leads and admins: an MD is forbidden, a stranger sees nothing", async () => {
    const md = seeded.mds[0].actor;
    const stranger = seeded.stranger.actor;
    for (const call of [
      (a: typeof md) => loadDashboard(a, seeded.projectId),
      (a: typeof md) => loadDashboardBySlug(a, seeded.slug),
      (a: typeof md) => liveStatus(a, seeded.projectId),
      (a: typeof md) => chosenMaskDice(a, seeded.projectId),
      (a: typeof md) => retryProjectJob(a, seeded.projectId, seeded.failedJobId),
    ]) {
      await expect(call(md)).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(call(stranger)).rejects.toMatchObject({ code: "NOT_FOUND" });
    }
    await expect(loadDashboardBySlug(seeded.lead.actor, "no-such-project")).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const admin = await makeUser({ isAdmin: true });
    expect((await loadDashboardBySlug(admin.actor, seeded.slug)).progress.total).toBe(22);
  });

  it("lets a lead retry a failed job of the project once", async () => {
    await expect(retryProjectJob(seeded.lead.actor, seeded.projectId, seeded.failedJobId)).resolves.toEqual({
      ok: true,
    });
    const job = await db().job.findUniqueOrThrow({ where: { id: seeded.failedJobId } });
    expect([job.status, job.attempts, job.lastError]).toEqual(["QUEUED", 0, null]);
    await expect(retryProjectJob(seeded.lead.actor, seeded.projectId, seeded.failedJobId)).rejects.toMatchObject({
      code: "CONFLICT",
    });
    const other = await seedProtocolState({
      s1: 6,
      stage2: 0,
      controls: 0,
      unannotated: 0,
      phase: "stage1-drawing",
      failedJobName: NO_WORKER_JOB,
    });
    await expect(retryProjectJob(seeded.lead.actor, seeded.projectId, other.failedJobId)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await db().job.update({ where: { id: seeded.failedJobId }, data: { status: "CANCELLED" } });
    expect(await db().auditLog.count({ where: { action: "job.retry", objectId: seeded.failedJobId } })).toBe(1);
  });
});

describe("next step by protocol phase", () => {
  it("during Stage-I drawing: training waits for the missing manual masks", async () => {
    const s = await seedProtocolState({ phase: "stage1-drawing", failedJobName: NO_WORKER_JOB });
    const d = await loadDashboard(s.lead.actor, s.projectId);
    expect(d.progress.byState).toMatchObject({
      AWAITING_MANUAL: 3,
      AWAITING_CANDIDATES: 3,
      UNANNOTATED: 12,
      ACCEPTED: 4,
    });
    expect(d.stage.headline).toBe("Round 1 · Stage I · manual drawing");
    expect(d.stage.next).toEqual({ action: "start-stage1-training", label: "Start Stage-I training", enabled: false });
    expect(d.stage.blockers).toEqual([
      { code: "MANUAL_MISSING", message: "3 Stage-I images still lack a manual mask", count: 3 },
    ]);
    expect(d.labour.acceptedMasks).toBe(0);
    expect(d.labour.secondsPerAcceptedMask).toBeNull();
    expect(d.labour.baselineSecondsPerMask).toBe(80); // md1's drawings: 60, 80, 100 s
    expect(d.agreement.at(-1)!.stats.kappa).toBeNull();
  });

  it("before Stage I: the lead selects the subset from the settings, then starts Stage I", async () => {
    const s = await seedProtocolState({ phase: "not-started", failedJobName: NO_WORKER_JOB });
    let d = await loadDashboard(s.lead.actor, s.projectId);
    expect(d.stage.headline).toBe("Not started: choose the Stage-I subset");
    expect(d.stage.next).toEqual({ action: "select-subset", label: "Select Stage-I subset", enabled: true });
    await expect(selectSubsetFromSettings(s.mds[0].actor, s.projectId)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await selectSubsetFromSettings(s.lead.actor, s.projectId);
    d = await loadDashboard(s.lead.actor, s.projectId);
    expect(d.progress.inS1).toBe(6);
    expect(d.stage.headline).toBe("Not started: Stage-I subset of 6 images chosen");
    expect(d.stage.next).toEqual({ action: "start-stage1", label: "Start Stage I", enabled: true });
    await startStage1(s.lead.actor, s.projectId);
    d = await loadDashboard(s.lead.actor, s.projectId);
    expect(d.stage.headline).toBe("Round 1 · Stage I · manual drawing");
    expect(d.stage.blockers).toEqual([
      { code: "MANUAL_MISSING", message: "6 Stage-I images still lack a manual mask", count: 6 },
    ]);
    expect(d.progress.byState).toMatchObject({ AWAITING_MANUAL: 6, ACCEPTED: 4, UNANNOTATED: 12 });
  });

  it("before Stage I: choosing the subset needs COVID images and a subset size", async () => {
    const { project, lead } = await makeProject();
    const d = await loadDashboard(lead.actor, project.id);
    expect(d.progress.total).toBe(0);
    expect(d.stage.next).toEqual({ action: "select-subset", label: "Select Stage-I subset", enabled: false });
    expect(d.stage.blockers.map((b) => b.code)).toEqual(["NO_COVID", "NO_SUBSET_SIZE"]);
    expect(d.mds.map((m) => [m.masksDrawn, m.votesCast, m.medianDrawSeconds, m.lastActive])).toEqual([
      [0, 0, null, null],
    ]);
  });
});
