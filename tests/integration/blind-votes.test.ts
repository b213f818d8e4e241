import { afterEach, describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { addMember } from "../../lib/projects/mutations";
import { createMask } from "../../lib/masks/mutations";
import { afterTaskSubmitted, selectStage1Subset, startStage1, startStage1Training } from "../../lib/protocol/mutations";
import { castVote, nextBallot, recordDuel } from "../../lib/voting/mutations";
import { holdBallot, releaseBallot } from "../../lib/voting/mutations";
import { nothingToVoteReason } from "../../lib/voting/queries";
import type { Actor } from "../../lib/auth/types";
import { makeProject, makeUser } from "../setup/fixtures";
import { addTestImages } from "../setup/synthetic-images";
import { discMask, fakeTrainAndPredict } from "../setup/protocol";

// Blind by content, the voting rules (issue 17): an MD never judges their own drawing while
// another MD can; ballots hold their image only while leased; Stage I has no reject; pairwise
// duels are asked and decided by the server.

afterEach(() => {
  delete process.env.BALLOT_LEASE_MS;
});

/** Stage I up to an open vote; manual masks drawn by `authors` in turn. */
async function votingProject(opts: { images: number; authors?: number; settings?: Record<string, unknown> }) {
  const fx = await makeProject({
    folds: 2,
    stage1Archs: [
      { arch: "unet", encoder: "tiny" },
      { arch: "dla", encoder: "tiny" },
    ],
    ...opts.settings,
  });
  const p = fx.project.id;
  const mds = [fx.md];
  for (let i = 1; i < (opts.authors ?? 1); i++) {
    const u = await makeUser();
    await addMember(fx.admin.actor, p, { email: u.email, roles: ["MD"] });
    mds.push(u);
  }
  await addTestImages(p, opts.images, (i) => ({ label: "COVID", patientPseudonym: `A${i}` }));
  await selectStage1Subset(fx.lead.actor, p, { size: opts.images });
  await startStage1(fx.lead.actor, p);
  const tasks = await db().task.findMany({ where: { projectId: p, kind: "MANUAL" }, orderBy: { imageId: "asc" } });
  const authorOf = new Map<string, string>();
  for (const [k, t] of tasks.entries()) {
    const author = mds[k % mds.length];
    authorOf.set(t.imageId, author.id);
    const img = await db().image.findUniqueOrThrow({ where: { id: t.imageId } });
    await db().$transaction(async (tx) => {
      const m = await createMask(tx, {
        projectId: p,
        imageId: t.imageId,
        kind: "MANUAL",
        mask: discMask(img.width, img.height, -6),
        width: img.width,
        height: img.height,
        authorId: author.id,
        roundId: t.roundId,
        taskId: t.id,
        elapsedMs: 1000,
      });
      await tx.task.update({
        where: { id: t.id },
        data: { status: "DONE", assigneeId: author.id, maskId: m.id, doneAt: new Date() },
      });
      await afterTaskSubmitted(tx, { ...t, assigneeId: author.id }, { maskId: m.id });
    });
  }
  const { roundId } = await startStage1Training(fx.lead.actor, p);
  expect(await fakeTrainAndPredict(roundId)).toBe(true);
  return { ...fx, p, mds, authorOf, roundId };
}

async function voteAll(
  p: string,
  voters: { id: string; actor: Actor }[],
  served: { voter: string; imageId: string }[],
) {
  for (let pass = 0; pass < 50; pass++) {
    let any = false;
    for (const v of voters) {
      const b = await nextBallot(v.actor, p);
      if (!b) continue;
      any = true;
      const ballot = await db().ballot.findUniqueOrThrow({ where: { id: b.ballotId } });
      served.push({ voter: v.id, imageId: ballot.imageId });
      await castVote(v.actor, b.ballotId, { choice: 1, durationMs: 100, idempotencyKey: `v-${b.ballotId}` });
    }
    if (!any) return;
  }
}

describe("author exclusion", () => {
  it("over many ballots an MD is never served an image they drew while another MD can vote on it", async () => {
    const fx = await votingProject({ images: 12, authors: 3, settings: { votesPerImage: 2 } });
    const served: { voter: string; imageId: string }[] = [];
    await voteAll(fx.p, fx.mds, served);
    expect(served.length).toBe(24);
    for (const s of served) expect(s.voter, `image ${s.imageId}`).not.toBe(fx.authorOf.get(s.imageId));
    expect(await db().vote.count({ where: { roundId: fx.roundId, ownDrawing: true } })).toBe(0);
    expect(await db().image.count({ where: { projectId: fx.p, state: "AWAITING_VOTE" } })).toBe(0);
  }, 120_000);

  it("with no other MD: WAIT holds the image (and says why); ALLOW_RECORDED lets the author vote, recorded on the vote", async () => {
    const wait = await votingProject({ images: 2, settings: { ownDrawingPolicy: "WAIT" } });
    expect(await nextBallot(wait.md.actor, wait.p)).toBeNull();
    expect((await nothingToVoteReason(wait.md.actor, wait.p)).reason).toBe("WAITING_FOR_OTHERS");

    const allow = await votingProject({ images: 3 });
    const served: { voter: string; imageId: string }[] = [];
    await voteAll(allow.p, [allow.md], served);
    expect(served.length).toBe(3);
    const votes = await db().vote.findMany({ where: { roundId: allow.roundId } });
    expect(votes.map((v) => v.ownDrawing)).toEqual([true, true, true]);
    const audits = await db().auditLog.findMany({ where: { projectId: allow.p, action: "vote.cast" } });
    expect(audits.every((a) => (a.after as { ownDrawing?: boolean }).ownDrawing === true)).toBe(true);
    expect((await nothingToVoteReason(allow.md.actor, allow.p)).reason).toBe("ROUND_COMPLETE");
  }, 120_000);
});

describe("ballot leases", () => {
  it("a stranded ballot is released within the lease, a released one at once, and a preloaded one holds nothing", async () => {
    process.env.BALLOT_LEASE_MS = "1500";
    const fx = await votingProject({ images: 1, authors: 3 });
    const [, a, b] = fx.mds; // fx.mds[0] drew the only image
    const first = (await nextBallot(a.actor, fx.p))!;
    expect(first.leaseMs).toBe(1500);
    expect(await nextBallot(b.actor, fx.p)).toBeNull();
    expect((await nothingToVoteReason(b.actor, fx.p)).reason).toBe("WAITING_FOR_OTHERS");
    // A leaves without a word: within the lease the image is free again.
    await new Promise((r) => setTimeout(r, 1600));
    const taken = (await nextBallot(b.actor, fx.p))!;
    expect(taken).not.toBeNull();
    const imageOf = async (id: string) => (await db().ballot.findUniqueOrThrow({ where: { id } })).imageId;
    expect(await imageOf(taken.ballotId)).toBe(await imageOf(first.ballotId));
    // A comes back: their ballot no longer holds the image.
    expect((await holdBallot(a.actor, first.ballotId)).held).toBe(false);
    // B leaves the page (beacon): released at once, A gets it back.
    expect((await releaseBallot(b.actor, taken.ballotId)).released).toBe(true);
    await expect(releaseBallot(a.actor, taken.ballotId)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const again = (await nextBallot(a.actor, fx.p))!;
    expect(await imageOf(again.ballotId)).toBe(await imageOf(first.ballotId));
    expect(again.ballotId).toBe(first.ballotId); // the earlier ballot, reopened with its recorded order
    await castVote(a.actor, again.ballotId, { choice: 1, durationMs: 5, idempotencyKey: `a-${again.ballotId}` });
    // B's vote after A's decided the image: refused (the page moves on).
    await expect(
      castVote(b.actor, taken.ballotId, { choice: 1, durationMs: 5, idempotencyKey: `b-${taken.ballotId}` }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
  }, 60_000);

  it("a preloaded ballot holds nothing until shown; shown after its image went elsewhere, it is refused", async () => {
    const fx = await votingProject({ images: 1, authors: 3 });
    const [, a, b] = fx.mds;
    const pre = (await nextBallot(a.actor, fx.p, [], { preload: true }))!;
    expect((await db().ballot.findUniqueOrThrow({ where: { id: pre.ballotId } })).leaseUntil).toBeNull();
    const shown = (await nextBallot(b.actor, fx.p))!;
    expect(shown).not.toBeNull();
    expect((await holdBallot(a.actor, pre.ballotId)).held).toBe(false);
    expect((await holdBallot(b.actor, shown.ballotId)).held).toBe(true);
    expect(await nextBallot(a.actor, fx.p)).toBeNull();
  }, 60_000);

  it("many voters, many ballots: no image ever has more live leases plus votes than it needs", async () => {
    const fx = await votingProject({ images: 10, authors: 4, settings: { votesPerImage: 2 } });
    const voters = fx.mds;
    for (let step = 0; step < 30; step++) {
      const v = voters[step % voters.length];
      const b = await nextBallot(v.actor, fx.p, [], { preload: step % 3 === 0 });
      if (b && step % 5 === 0) await releaseBallot(v.actor, b.ballotId);
      else if (b && step % 3 !== 0)
        await castVote(v.actor, b.ballotId, { choice: 1, durationMs: 5, idempotencyKey: `m-${b.ballotId}` });
      const over = await db().$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM "Image" i
        WHERE i."projectId" = ${fx.p}::uuid AND i.state = 'AWAITING_VOTE'
          AND (SELECT count(*) FROM "Vote" v WHERE v."imageId" = i.id) + (SELECT count(*) FROM "Ballot" b WHERE b."imageId" = i.id AND b."closedAt" IS NULL AND b."leaseUntil" > now()) > 2`;
      expect(over[0].n).toBe(0);
    }
  }, 120_000);
});

describe("the spec, enforced", () => {
  it('Stage I refuses "none acceptable"; pairwise duels are served, recorded and decided by the server', async () => {
    const fx = await votingProject({ images: 1, authors: 2, settings: { selectionMode: "PAIRWISE" } });
    const voter = fx.mds[1];
    const b = (await nextBallot(voter.actor, fx.p))!;
    expect(b.mode).toBe("PAIRWISE");
    expect(b.allowNone).toBe(false);
    expect(b.candidates.length).toBe(3);
    expect(b.duel).toEqual({ a: 1, b: 2 });
    await expect(
      castVote(voter.actor, b.ballotId, { choice: null, durationMs: 5, idempotencyKey: `n-${b.ballotId}` }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      castVote(voter.actor, b.ballotId, { choice: 1, durationMs: 5, idempotencyKey: `e-${b.ballotId}` }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(recordDuel(voter.actor, b.ballotId, { a: 1, b: 3, winner: 3 })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(recordDuel(fx.mds[0].actor, b.ballotId, { a: 1, b: 2, winner: 2 })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await recordDuel(voter.actor, b.ballotId, { a: 1, b: 2, winner: 2 })).toEqual({
      duel: { a: 2, b: 3 },
      winner: null,
    });
    expect(await recordDuel(voter.actor, b.ballotId, { a: 1, b: 2, winner: 2 })).toEqual({
      duel: { a: 2, b: 3 },
      winner: null,
    }); // a retry
    const again = (await nextBallot(voter.actor, fx.p))!; // a reload resumes where the server is
    expect(again.duel).toEqual({ a: 2, b: 3 });
    expect(await recordDuel(voter.actor, b.ballotId, { a: 2, b: 3, winner: 3 })).toEqual({ duel: null, winner: 3 });
    await expect(
      castVote(voter.actor, b.ballotId, { choice: 2, durationMs: 5, idempotencyKey: `w-${b.ballotId}` }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    // The client's own duel log is refused, not silently ignored: the server's log is the record.
    await expect(
      castVote(voter.actor, b.ballotId, {
        choice: 3,
        durationMs: 5,
        idempotencyKey: `c-${b.ballotId}`,
        duels: [{ a: 1, b: 2, winner: 1 }],
      } as never),
    ).rejects.toThrow(/duels/);
    await castVote(voter.actor, b.ballotId, { choice: 3, durationMs: 5, idempotencyKey: `r-${b.ballotId}` });
    const vote = await db().vote.findUniqueOrThrow({ where: { ballotId: b.ballotId } });
    expect(vote.duels).toEqual([
      { a: 1, b: 2, winner: 2 },
      { a: 2, b: 3, winner: 3 },
    ]);
    const ballot = await db().ballot.findUniqueOrThrow({ where: { id: b.ballotId } });
    expect(vote.candidateId).toBe(ballot.shownOrder[2]);
  }, 60_000);
});
