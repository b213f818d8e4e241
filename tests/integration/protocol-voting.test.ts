import { describe, expect, it } from "vitest";
import pg from "pg";
import { db } from "../../lib/db/client";
import { addMember } from "../../lib/projects/mutations";
import {
  selectStage1Subset,
  startStage1,
  startStage1Training,
  startStage2Round,
  registerPrediction,
  closeRoundIfDone,
  closeFinishedRounds,
} from "../../lib/protocol/mutations";
import { castVote, nextBallot, resolveDispute } from "../../lib/voting/mutations";
import { secureShuffle } from "../../lib/protocol/random";
import { makeProject, makeUser } from "../setup/fixtures";
import { addTestImages } from "../setup/synthetic-images";
import { drawAllManual, fakeTrainAndPredict, tinyNetworks } from "../setup/protocol";

async function stage1Project(settings: Record<string, unknown> = {}, covid = 6, controls = 2) {
  const fx = await makeProject({
    folds: 3,
    stage1Archs: tinyNetworks("unet", "unetpp"),
    stage2Networks: tinyNetworks("unet", "dla"),
    ...settings,
  });
  const p = fx.project.id;
  await addTestImages(p, covid, (i) => ({
    label: "COVID",
    patientPseudonym: `P${i % 4}`,
    sourceDataset: i % 2 ? "A" : "B",
  }));
  await addTestImages(p, controls, () => ({ label: "CONTROL" }));
  await selectStage1Subset(fx.lead.actor, p, { size: covid, seed: 7 });
  await startStage1(fx.lead.actor, p);
  return fx;
}

describe("Stage I", () => {
  it("starting Stage I creates one manual task per subset image, folds by patient, and controls accepted by label", async () => {
    const fx = await stage1Project();
    const p = fx.project.id;
    expect(await db().task.count({ where: { projectId: p, kind: "MANUAL" } })).toBe(6);
    const again = await startStage1(fx.lead.actor, p);
    expect(again.created).toBe(false);
    expect(await db().task.count({ where: { projectId: p, kind: "MANUAL" } })).toBe(6);
    const imgs = await db().image.findMany({ where: { projectId: p, inS1: true } });
    const foldOf = new Map<string, Set<number>>();
    for (const i of imgs)
      foldOf.set(i.patientPseudonym!, new Set([...(foldOf.get(i.patientPseudonym!) ?? []), i.fold!]));
    for (const folds of foldOf.values()) expect(folds.size).toBe(1);
    expect(
      await db().groundTruth.count({ where: { projectId: p, isCurrent: true, decision: "LABEL", maskId: null } }),
    ).toBe(2);
  });

  it("training is blocked while manual masks are missing, and starting it twice creates one set of jobs", async () => {
    const fx = await stage1Project();
    const p = fx.project.id;
    await expect(startStage1Training(fx.lead.actor, p)).rejects.toThrow(/6 Stage-I images still lack a manual mask/);
    await expect(startStage1Training(fx.md.actor, p)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await drawAllManual(p, fx.md.id);
    const [a, b] = await Promise.all([startStage1Training(fx.lead.actor, p), startStage1Training(fx.lead.actor, p)]);
    expect(new Set([a.created, b.created])).toEqual(new Set([true, false]));
    const runs = await db().modelRun.findMany({ where: { projectId: p } });
    expect(runs.length).toBe(2 * 3);
    expect(await db().job.count({ where: { name: "train", projectId: p } })).toBe(6);
  });

  it("machine candidates are out-of-fold: a run never predicts an image it trained on", async () => {
    const fx = await stage1Project();
    const p = fx.project.id;
    await drawAllManual(p, fx.md.id);
    const { roundId } = await startStage1Training(fx.lead.actor, p);
    expect(await fakeTrainAndPredict(roundId)).toBe(true);
    const machine = await db().mask.findMany({ where: { projectId: p, kind: "MACHINE" } });
    expect(machine.length).toBe(6 * 2);
    for (const m of machine) {
      const trained = await db().modelRunImage.findUnique({
        where: { runId_imageId: { runId: m.modelRunId!, imageId: m.imageId } },
      });
      expect(trained?.trained).toBe(false);
    }
    const run = await db().modelRun.findFirstOrThrow({ where: { roundId } });
    const trainedRow = await db().modelRunImage.findFirstOrThrow({ where: { runId: run.id, trained: true } });
    const img = await db().image.findUniqueOrThrow({ where: { id: trainedRow.imageId } });
    await expect(registerPrediction(run, img, new Uint8Array(img.width * img.height), null)).rejects.toThrow(
      /Out-of-fold/,
    );
    const counts = await db().candidate.groupBy({ by: ["imageId"], where: { roundId }, _count: { _all: true } });
    expect(counts.length).toBe(6);
    for (const c of counts) expect(c._count._all).toBe(3);
  });

  it('a full vote accepts masks with provenance (Stage I has no "none acceptable"), and the round closes', async () => {
    const fx = await stage1Project();
    const p = fx.project.id;
    await drawAllManual(p, fx.md.id);
    const { roundId } = await startStage1Training(fx.lead.actor, p);
    await fakeTrainAndPredict(roundId);
    let n = 0;
    for (;;) {
      const b = await nextBallot(fx.md.actor, p);
      if (!b) break;
      expect(Object.keys(b).sort()).toEqual([
        "allowNone",
        "ballotId",
        "candidates",
        "duel",
        "duelWinner",
        "height",
        "imageUrl",
        "leaseMs",
        "mode",
        "width",
      ]);
      expect(b.allowNone).toBe(false);
      expect(b.candidates.map((c) => c.position)).toEqual([1, 2, 3]);
      await expect(
        castVote(fx.md.actor, b.ballotId, { choice: null, durationMs: 4000, idempotencyKey: `none-${b.ballotId}` }),
      ).rejects.toMatchObject({ code: "BAD_REQUEST" });
      await castVote(fx.md.actor, b.ballotId, {
        choice: 1 + (n % 3),
        durationMs: 4000,
        idempotencyKey: `k-${b.ballotId}`,
      });
      n++;
    }
    expect(n).toBe(6);
    const gts = await db().groundTruth.findMany({ where: { projectId: p, isCurrent: true, maskId: { not: null } } });
    expect(gts.length).toBe(6);
    for (const g of gts) {
      const mask = await db().mask.findUniqueOrThrow({ where: { id: g.maskId! }, include: { modelRun: true } });
      expect(g.roundId).toBe(roundId);
      if (mask.kind === "MACHINE") expect(mask.modelRun?.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(await db().image.count({ where: { projectId: p, state: "AWAITING_REDRAW" } })).toBe(0);
    expect(await db().vote.count({ where: { roundId, noneAcceptable: true } })).toBe(0);
    const round = await db().round.findUniqueOrThrow({ where: { id: roundId } });
    expect(round.status).toBe("CLOSED");
    await expect(startStage2Round(fx.lead.actor, p)).rejects.toMatchObject({ code: "CONFLICT" });
  });
});

describe("votes", () => {
  it("20 parallel voters on one image with a 3-vote rule: exactly 3 votes are counted", async () => {
    const fx = await stage1Project({ votesPerImage: 3 }, 1, 0);
    const p = fx.project.id;
    await drawAllManual(p, fx.md.id);
    const { roundId } = await startStage1Training(fx.lead.actor, p);
    await fakeTrainAndPredict(roundId);
    const voters = await Promise.all(Array.from({ length: 20 }, () => makeUser()));
    for (const v of voters) await addMember(fx.admin.actor, p, { email: v.email, roles: ["MD"] });
    const results = await Promise.allSettled(
      voters.map(async (v) => {
        const b = await nextBallot(v.actor, p);
        if (!b) return "none";
        await castVote(v.actor, b.ballotId, { choice: 1, durationMs: 1000, idempotencyKey: `par-${v.id}` });
        return "voted";
      }),
    );
    const voted = results.filter((r) => r.status === "fulfilled" && r.value === "voted").length;
    expect(voted).toBe(3);
    expect(await db().vote.count({ where: { roundId } })).toBe(3);
    const rejected = results.filter((r) => r.status === "rejected");
    for (const r of rejected) expect((r as PromiseRejectedResult).reason.code).toBe("CONFLICT");
  });

  it("a retried vote counts once and a second vote on the same ballot is refused", async () => {
    const fx = await stage1Project({}, 2, 0);
    const p = fx.project.id;
    await drawAllManual(p, fx.md.id);
    const { roundId } = await startStage1Training(fx.lead.actor, p);
    await fakeTrainAndPredict(roundId);
    const b = (await nextBallot(fx.md.actor, p))!;
    const [r1, r2] = await Promise.all([
      castVote(fx.md.actor, b.ballotId, { choice: 2, durationMs: 10, idempotencyKey: "same-key-" + b.ballotId }),
      castVote(fx.md.actor, b.ballotId, { choice: 2, durationMs: 10, idempotencyKey: "same-key-" + b.ballotId }),
    ]);
    expect(r1.voteId).toBe(r2.voteId);
    await expect(
      castVote(fx.md.actor, b.ballotId, { choice: 1, durationMs: 10, idempotencyKey: "other-key-" + b.ballotId }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(
      castVote(fx.lead.actor, b.ballotId, { choice: 1, durationMs: 10, idempotencyKey: "lead-key-" + b.ballotId }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await db().vote.count({ where: { roundId } })).toBe(1);
  });

  it("a tie goes to the lead when the project says so", async () => {
    const fx = await stage1Project({ votesPerImage: 2, tieBreak: "LEAD" }, 1, 0);
    const p = fx.project.id;
    await drawAllManual(p, fx.md.id);
    const { roundId } = await startStage1Training(fx.lead.actor, p);
    // Predictions far from the manual mask, so choices disagree (Dice below the threshold).
    await fakeTrainAndPredict(roundId, (_i, _id) => {
      const m = new Uint8Array(64 * 64);
      m.fill(1, 0, 300);
      return m;
    });
    // The manual mask's author does not vote on it while other MDs can.
    const md2 = await makeUser();
    const md3 = await makeUser();
    await addMember(fx.admin.actor, p, { email: md2.email, roles: ["MD"] });
    await addMember(fx.admin.actor, p, { email: md3.email, roles: ["MD"] });
    expect(await nextBallot(fx.md.actor, p)).toBeNull();
    const ballots = [await nextBallot(md2.actor, p), await nextBallot(md3.actor, p)];
    const cand = await db().candidate.findMany({ where: { roundId } });
    const manualMask = await db().mask.findFirstOrThrow({ where: { projectId: p, kind: "MANUAL" } });
    const manualCand = cand.find((c) => c.maskId === manualMask.id)!;
    const shown = (await db().ballot.findUniqueOrThrow({ where: { id: ballots[1]!.ballotId } })).shownOrder;
    const machineCand = shown.find((id) => id !== manualCand.id)!;
    const posOf = async (ballotId: string, candidateId: string) =>
      (await db().ballot.findUniqueOrThrow({ where: { id: ballotId } })).shownOrder.indexOf(candidateId) + 1;
    await castVote(md2.actor, ballots[0]!.ballotId, {
      choice: await posOf(ballots[0]!.ballotId, manualCand.id),
      durationMs: 5,
      idempotencyKey: "t1-" + ballots[0]!.ballotId,
    });
    await castVote(md3.actor, ballots[1]!.ballotId, {
      choice: await posOf(ballots[1]!.ballotId, machineCand),
      durationMs: 5,
      idempotencyKey: "t2-" + ballots[1]!.ballotId,
    });
    const img = await db().image.findFirstOrThrow({ where: { projectId: p, inS1: true } });
    expect(img.state).toBe("DISPUTED");
    await expect(resolveDispute(fx.md.actor, img.id, manualCand.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await resolveDispute(fx.lead.actor, img.id, manualCand.id);
    const gt = await db().groundTruth.findFirstOrThrow({ where: { imageId: img.id, isCurrent: true } });
    // What is accepted is the style-normalised rendering of the manual mask (the original kept).
    expect(manualCand.shownMaskId).not.toBeNull();
    expect(gt).toMatchObject({
      maskId: manualCand.shownMaskId,
      decision: "LEAD",
      sourceKind: "MANUAL",
      decidedById: fx.lead.id,
    });
    expect((await db().mask.findUniqueOrThrow({ where: { id: gt.maskId! } })).normalisedFromId).toBe(manualMask.id);
    expect((await db().round.findUniqueOrThrow({ where: { id: roundId } })).status).toBe("CLOSED");
    await expect(resolveDispute(fx.lead.actor, img.id, manualCand.id)).rejects.toMatchObject({ code: "CONFLICT" });
  });
});

describe("closing the round", () => {
  it("two votes deciding its last two images at once close it, and only once; the periodic sweep closes one left open", async () => {
    const fx = await stage1Project({}, 2, 0);
    const p = fx.project.id;
    await drawAllManual(p, fx.md.id);
    const { roundId } = await startStage1Training(fx.lead.actor, p);
    await fakeTrainAndPredict(roundId);
    // Two MDs who drew none of the masks (the drawer is kept off ballots while others can vote).
    const [md2, md3] = [await makeUser(), await makeUser()];
    for (const u of [md2, md3]) await addMember(fx.admin.actor, p, { email: u.email, roles: ["MD"] });
    const a = (await nextBallot(md2.actor, p))!;
    const b = (await nextBallot(md3.actor, p))!;
    const ballots = await db().ballot.findMany({ where: { id: { in: [a.ballotId, b.ballotId] } } });
    expect(new Set(ballots.map((x) => x.imageId)).size).toBe(2);
    // Vote A is held between its read of the other images (B waits) and its write, by a lock
    // on its ballot row, which its write updates; vote B runs meanwhile and sees A waiting.
    const holder = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query(`SELECT 1 FROM "Ballot" WHERE id = $1 FOR UPDATE`, [a.ballotId]);
      const holderPid = (await holder.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid;
      const voteA = castVote(md2.actor, a.ballotId, {
        choice: 1,
        durationMs: 10,
        idempotencyKey: `ra-${a.ballotId}`,
      });
      for (let waited = 0; ; waited += 20) {
        const { rows } = await holder.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))",
          [holderPid],
        );
        if (rows[0].n > 0) break;
        expect(waited).toBeLessThan(10_000);
        await new Promise((r) => setTimeout(r, 20));
      }
      // B's read of the other images comes while A is held. B's write can end up waiting on A
      // through another test file's transaction (seen once beside the dashboard-totals rebuild,
      // whose LOCK TABLE then queued behind A): A is let go after 15 s rather than waiting on B
      // for ever, which held voters of every test file. Both reads still came before both commits.
      const voteB = castVote(md3.actor, b.ballotId, { choice: 1, durationMs: 10, idempotencyKey: `rb-${b.ballotId}` });
      const bFirst = await Promise.race([
        voteB.then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), 15_000)),
      ]);
      if (bFirst) expect((await db().round.findUniqueOrThrow({ where: { id: roundId } })).status).toBe("VOTING");
      await holder.query("COMMIT");
      await Promise.all([voteA, voteB]);
    } finally {
      await holder.end();
    }
    expect(await db().image.count({ where: { projectId: p, inS1: true, state: "ACCEPTED" } })).toBe(2);
    expect((await db().round.findUniqueOrThrow({ where: { id: roundId } })).status).toBe("CLOSED");
    expect((await db().project.findUniqueOrThrow({ where: { id: p } })).currentStage).toBe("STAGE_II");
    const closes = () => db().auditLog.count({ where: { action: "round.close", objectId: roundId } });
    expect(await closes()).toBe(1);

    // Left open (as by a process stopped between a vote's commit and its check): two checks at
    // once close it once, and the periodic sweep closes it and then finds nothing.
    await db().round.update({ where: { id: roundId }, data: { status: "VOTING", closedAt: null } });
    const both = await Promise.all([closeRoundIfDone(p, roundId), closeRoundIfDone(p, roundId)]);
    expect(both.filter(Boolean).length).toBe(1);
    expect(await closes()).toBe(2);
    await db().round.update({ where: { id: roundId }, data: { status: "VOTING", closedAt: null } });
    expect(await closeFinishedRounds(p)).toEqual([roundId]);
    expect((await db().round.findUniqueOrThrow({ where: { id: roundId } })).status).toBe("CLOSED");
    expect(await closeFinishedRounds(p)).toEqual([]);
    expect(await closes()).toBe(3);
  });
});

describe("blinding", () => {
  it("the shown order is uniform over positions (chi-square)", () => {
    const ids = ["manual", "m1", "m2", "m3"];
    const counts = ids.map(() => new Array(ids.length).fill(0));
    const trials = 4000;
    for (let t = 0; t < trials; t++) secureShuffle(ids).forEach((id, pos) => counts[ids.indexOf(id)][pos]++);
    const expected = trials / ids.length;
    for (const row of counts) {
      const chi = row.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
      expect(chi).toBeLessThan(16.27); // df = 3, p = 0.001
    }
  });

  it("recorded ballot orders put the manual mask in every position", async () => {
    const fx = await stage1Project({ votesPerImage: 1 }, 8, 0);
    const p = fx.project.id;
    await drawAllManual(p, fx.md.id);
    const { roundId } = await startStage1Training(fx.lead.actor, p);
    await fakeTrainAndPredict(roundId);
    const manual = new Set((await db().mask.findMany({ where: { projectId: p, kind: "MANUAL" } })).map((m) => m.id));
    const cands = await db().candidate.findMany({ where: { roundId } });
    const isManual = new Map(cands.map((c) => [c.id, manual.has(c.maskId)]));
    const positions: number[] = [];
    for (;;) {
      const b = await nextBallot(fx.md.actor, p);
      if (!b) break;
      const ballot = await db().ballot.findUniqueOrThrow({ where: { id: b.ballotId } });
      expect(ballot.shownOrder.length).toBe(3);
      positions.push(ballot.shownOrder.findIndex((c) => isManual.get(c)));
      expect(b.ballotId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
      await castVote(fx.md.actor, b.ballotId, { choice: 1, durationMs: 5, idempotencyKey: "o-" + b.ballotId });
    }
    expect(positions.length).toBe(8);
    expect(positions.every((x) => x >= 0)).toBe(true);
  });
});
