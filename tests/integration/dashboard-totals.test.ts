import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { run as project } from "../../cli/commands/project";
import { captureLog } from "../setup/cli-capture";
import { db } from "../../lib/db/client";
import { sql, sqlTransaction } from "../../lib/db/raw";
import { createMask } from "../../lib/masks/mutations";
import { addMember } from "../../lib/projects/mutations";
import {
  acceptGroundTruth,
  afterTaskSubmitted,
  rebuildDashboardTotals,
  recountDashboardTotals,
  runningDashboardTotals,
  selectStage1Subset,
  startStage1,
  startStage1Training,
  startStage2Round,
} from "../../lib/protocol/mutations";
import { castVote, nextBallot, resolveDispute } from "../../lib/voting/mutations";
import { makeProject, makeUser, type TestUser } from "../setup/fixtures";
import { addTestImages } from "../setup/synthetic-images";
import { discMask, drawAllManual, fakeTrainAndPredict, tinyNetworks } from "../setup/protocol";

// The dashboard's running totals (lib/protocol/mutations/dashboard-totals.ts) are kept by the
// protocol's transitions; after every kind of transition they must equal a full recount of the
// raw rows. A transition that forgets them (or counts wrongly) leaves them apart.

async function expectTotalsMatchRecount(projectId: string) {
  const running = await runningDashboardTotals(sql(), projectId);
  expect(running).toEqual(await recountDashboardTotals(sql(), projectId));
  return running;
}

const sumOf = (rows: { scope: string; n: number }[], scope: string) =>
  rows.filter((r) => r.scope === scope).reduce((s, r) => s + r.n, 0);

/**
 * Every voter at once (racing each other for the same images), until no ballot is left:
 * `choose` picks a position (or null: none acceptable) from the voter and the image.
 */
async function voteUntilDone(
  projectId: string,
  voters: TestUser[],
  choose: (voter: number, imageId: string, candidates: number) => number | null,
) {
  await Promise.all(
    voters.map(async (v, vi) => {
      const refused: string[] = [];
      for (let k = 0; k < 100; k++) {
        const b = await nextBallot(v.actor, projectId, refused);
        if (!b) return;
        const { imageId } = await db().ballot.findUniqueOrThrow({ where: { id: b.ballotId } });
        await castVote(v.actor, b.ballotId, {
          choice: choose(vi, imageId, b.candidates.length),
          durationMs: 1000 + 250 * vi + k,
          idempotencyKey: `tot-${b.ballotId}`,
        }).catch((e: { code?: string }) => {
          if (e.code !== "CONFLICT") throw e;
          refused.push(b.ballotId);
        });
      }
    }),
  );
}

/** Draws every open redraw task as `user`, through afterTaskSubmitted. */
async function redrawAll(projectId: string, user: TestUser) {
  const tasks = await db().task.findMany({ where: { projectId, kind: "REDRAW", status: { not: "DONE" } } });
  for (const t of tasks) {
    const img = await db().image.findUniqueOrThrow({ where: { id: t.imageId } });
    await db().$transaction(async (tx) => {
      const m = await createMask(tx, {
        projectId,
        imageId: t.imageId,
        kind: "REDRAW",
        mask: discMask(img.width, img.height, 1),
        width: img.width,
        height: img.height,
        authorId: user.id,
        roundId: t.roundId,
        taskId: t.id,
        elapsedMs: 90_000,
      });
      await tx.task.update({
        where: { id: t.id },
        data: { status: "DONE", assigneeId: user.id, maskId: m.id, doneAt: new Date(), elapsedMs: 90_000 },
      });
      await afterTaskSubmitted(tx, { ...t, assigneeId: user.id }, { maskId: m.id });
    });
  }
  return tasks.length;
}

async function resolveAllDisputes(projectId: string, lead: TestUser) {
  const disputed = await db().image.findMany({ where: { projectId, state: "DISPUTED" } });
  const round = await db().round.findFirstOrThrow({ where: { projectId }, orderBy: { number: "desc" } });
  for (const img of disputed) {
    const cand = await db().candidate.findFirstOrThrow({ where: { roundId: round.id, imageId: img.id } });
    await resolveDispute(lead.actor, img.id, cand.id);
  }
  return disputed.length;
}

describe("dashboard running totals", () => {
  it("equal a full recount after every kind of transition, racing voters included", async () => {
    const fx = await makeProject({
      folds: 3,
      votesPerImage: 3,
      tieBreak: "LEAD",
      stage1Archs: tinyNetworks("unet", "unetpp"),
      stage2Networks: tinyNetworks("unet", "dla"),
    });
    const p = fx.project.id;
    await addTestImages(p, 9, (i) => ({ label: "COVID", patientPseudonym: `P${i % 4}` }));
    await addTestImages(p, 3, () => ({ label: "CONTROL" }));
    await selectStage1Subset(fx.lead.actor, p, { size: 6, seed: 3 });
    // Controls accepted by label, in bulk.
    await startStage1(fx.lead.actor, p);
    let t = await expectTotalsMatchRecount(p);
    expect(t.find((r) => r.scope === "accepted-day")?.m).toBe(3);

    const voters = [await makeUser(), await makeUser(), await makeUser()];
    for (const v of voters) await addMember(fx.admin.actor, p, { email: v.email, roles: ["MD"] });

    // Stage I: three racing voters per image; picks by voter and image so that some images
    // agree, some split (a tie the lead settles).
    await drawAllManual(p, fx.md.id);
    const { roundId: r1 } = await startStage1Training(fx.lead.actor, p);
    await fakeTrainAndPredict(r1, (i, imageId) => {
      const m = new Uint8Array(64 * 64);
      m.fill(1, 0, 200 + 400 * i + (imageId.charCodeAt(35) % 3) * 100);
      return m;
    });
    const pick = (vi: number, imageId: string, n: number) => 1 + ((vi * (imageId.charCodeAt(35) % 2) + vi) % n);
    await voteUntilDone(p, voters, pick);
    t = await expectTotalsMatchRecount(p);
    const s1Votes = await db().vote.count({ where: { roundId: r1 } });
    expect(s1Votes).toBeGreaterThanOrEqual(18);
    expect(sumOf(t, "votes-day")).toBe(s1Votes);
    expect(sumOf(t, "voter")).toBe(s1Votes);
    expect(sumOf(t, "items")).toBeGreaterThan(0);
    expect(sumOf(t, "wins")).toBeGreaterThan(0);
    await resolveAllDisputes(p, fx.lead);
    await expectTotalsMatchRecount(p);
    expect(await db().image.count({ where: { projectId: p, inS1: true, state: { not: "ACCEPTED" } } })).toBe(0);
    // Closed by the racing votes and the lead's last settlement themselves.
    expect((await db().round.findUniqueOrThrow({ where: { id: r1 } })).status).toBe("CLOSED");

    // Stage II: one image rejected by every voter (then redrawn), the rest voted on.
    const { roundId: r2 } = await startStage2Round(fx.lead.actor, p);
    await fakeTrainAndPredict(r2, (i) => {
      const m = new Uint8Array(64 * 64);
      m.fill(1, 0, 300 + 600 * i);
      return m;
    });
    const s2Images = await db().image.findMany({
      where: { projectId: p, state: "AWAITING_VOTE" },
      orderBy: { id: "asc" },
    });
    expect(s2Images.length).toBeGreaterThanOrEqual(2);
    const rejected = s2Images[0].id;
    await voteUntilDone(p, voters, (vi, imageId, n) => (imageId === rejected ? null : pick(vi, imageId, n)));
    await expectTotalsMatchRecount(p);
    expect((await db().image.findUniqueOrThrow({ where: { id: rejected } })).state).toBe("AWAITING_REDRAW");
    expect(await redrawAll(p, voters[0])).toBeGreaterThanOrEqual(1);
    await resolveAllDisputes(p, fx.lead);
    t = await expectTotalsMatchRecount(p);
    expect(t.filter((r) => r.scope === "cat" && r.key === "none").reduce((s, r) => s + r.m, 0)).toBeGreaterThanOrEqual(
      3,
    );

    // A truth superseded by a later one leaves its day's count; a second consensus on the same
    // image and round counts its sources once (a win if either truth won).
    const accepted = await db().groundTruth.findFirstOrThrow({
      where: { projectId: p, isCurrent: true, decision: "CONSENSUS", roundId: r2 },
    });
    const shown = await db().candidate.findMany({ where: { roundId: r2, imageId: accepted.imageId } });
    const loser = shown.map((c) => c.shownMaskId ?? c.maskId).find((m) => m !== accepted.maskId)!;
    expect(loser).toBeDefined();
    await db().$transaction((tx) =>
      acceptGroundTruth(tx, {
        projectId: p,
        imageId: accepted.imageId,
        maskId: loser,
        roundId: accepted.roundId,
        stage: accepted.stage,
        decision: "CONSENSUS",
        sourceKind: "MACHINE", // Stage II shows machine masks only
      }),
    );
    await db().$transaction((tx) =>
      acceptGroundTruth(tx, {
        projectId: p,
        imageId: accepted.imageId,
        maskId: accepted.maskId,
        roundId: accepted.roundId,
        stage: accepted.stage,
        decision: "LEAD",
        sourceKind: "MACHINE",
        decidedById: fx.lead.id,
      }),
    );
    expect(await db().groundTruth.count({ where: { imageId: accepted.imageId } })).toBe(3);
    await expectTotalsMatchRecount(p);
  });

  it("a vote written past the transitions shows as a difference, and the rebuild repairs it", async () => {
    const { p, roundId } = await stage1WithOneVote("Q");
    await expectTotalsMatchRecount(p);

    // A second vote on the same image, inserted straight into the table (a forgotten transition).
    const v = await db().vote.findFirstOrThrow({ where: { roundId } });
    const other = await makeUser();
    const ballot = await db().ballot.create({
      data: { id: randomUUID(), roundId, imageId: v.imageId, voterId: other.id, shownOrder: [], closedAt: new Date() },
    });
    await db().vote.create({
      data: {
        ballotId: ballot.id,
        roundId,
        imageId: v.imageId,
        voterId: other.id,
        candidateId: v.candidateId,
        durationMs: 900,
        idempotencyKey: `raw-${ballot.id}`,
      },
    });
    const running = await runningDashboardTotals(sql(), p);
    const recount = await recountDashboardTotals(sql(), p);
    expect(running).not.toEqual(recount);
    expect(sumOf(recount, "votes-day") - sumOf(running, "votes-day")).toBe(1);
    expect(sumOf(recount, "items") - sumOf(running, "items")).toBe(1);

    await sqlTransaction((run) => rebuildDashboardTotals(run, p));
    await expectTotalsMatchRecount(p);
  });

  it("`tandem project totals` shows a lead the drift, refuses an MD, and --rebuild repairs it", async () => {
    const { fx, p, voter } = await stage1WithOneVote("T");
    const slug = fx.project.slug;
    const lead = ["--as", fx.lead.email];
    expect(await cli(["totals", slug, ...lead])).toMatch(/the \d+ dashboard totals match a full recount/);
    await expect(cli(["totals", slug, "--as", voter.email])).rejects.toThrow(/LEAD|lead|permission|role/i);

    // Totals drift: one counter row changed behind the transitions' back.
    const changed = await db().$executeRaw`UPDATE "DashboardTotal" SET n = n + 5
      WHERE ctid = (SELECT ctid FROM "DashboardTotal" WHERE "projectId" = ${p}::uuid AND n > 0 LIMIT 1)`;
    expect(changed).toBe(1);
    const drift = await cli(["totals", slug, ...lead]).catch((e: Error) => e.message);
    expect(drift).toMatch(/\d+ of the dashboard totals differ from a full recount \(--rebuild replaces them\)/);
    expect(drift).toMatch(/^1 of|: 1 of the dashboard totals differ/m);
    const [, running, recounted] = drift.match(/round \S+ \S+ .*: running n=(\d+) .*recount n=(\d+)/) ?? [];
    expect(Number(running) - Number(recounted)).toBe(5);
    expect(await cli(["totals", slug, ...lead, "--rebuild"])).toMatch(/replaced by the recount/);
    await expectTotalsMatchRecount(p);
    expect(await cli(["totals", slug, ...lead])).toMatch(/match a full recount/);
    const audit = await db().auditLog.findMany({ where: { projectId: p, action: { startsWith: "dashboard.totals" } } });
    expect(audit.map((a) => a.action).sort()).toEqual([
      "dashboard.totals_check",
      "dashboard.totals_check",
      "dashboard.totals_check",
      "dashboard.totals_rebuild",
    ]);
  });
});

const cli = (argv: string[]) => captureLog(() => project(argv));

/** A two-image Stage-I round, trained and predicted, with one MD's vote cast through the transitions. */
async function stage1WithOneVote(patientPrefix: string) {
  const fx = await makeProject({ folds: 2, stage1Archs: tinyNetworks("unet") });
  const p = fx.project.id;
  await addTestImages(p, 2, (i) => ({ label: "COVID", patientPseudonym: `${patientPrefix}${i}` }));
  await selectStage1Subset(fx.lead.actor, p, { size: 2, seed: 1 });
  await startStage1(fx.lead.actor, p);
  await drawAllManual(p, fx.md.id);
  const { roundId } = await startStage1Training(fx.lead.actor, p);
  await fakeTrainAndPredict(roundId);
  const voter = await makeUser();
  await addMember(fx.admin.actor, p, { email: voter.email, roles: ["MD"] });
  const b = (await nextBallot(voter.actor, p))!;
  await castVote(voter.actor, b.ballotId, { choice: 1, durationMs: 700, idempotencyKey: `one-${b.ballotId}` });
  return { fx, p, roundId, voter };
}
