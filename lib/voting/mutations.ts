import { randomUUID } from "node:crypto";
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { AppError } from "../errors/app-error";
import { recordAudit } from "../audit/mutations";
import { requireProjectRole } from "../auth/authorize";
import type { Actor } from "../auth/types";
import { loadMask } from "../masks/queries";
import { dice } from "../masks/measures";
import { acceptGroundTruth, maybeCloseRound, reopenRedraw } from "../protocol/mutations";
import { secureShuffle } from "../protocol/random";
import { tallyVotes } from "./consensus";
import { castVoteSchema, type CastVoteInput } from "./schema";
import { BALLOT_HOLD_MS, type BallotView } from "./types";

type Tx = Prisma.TransactionClient;

function view(ballot: { id: string; shownOrder: string[] }, mode: "NWAY" | "PAIRWISE", size: { width: number; height: number }): BallotView {
  return {
    ballotId: ballot.id,
    mode,
    width: size.width,
    height: size.height,
    imageUrl: `/api/ballots/${ballot.id}/image`,
    candidates: ballot.shownOrder.map((_, i) => ({ position: i + 1, url: `/api/ballots/${ballot.id}/candidates/${i + 1}` })),
  };
}

/**
 * The voter's next ballot in the open round: their unanswered one if any, else a new one on
 * an image that still needs votes and that they have not voted on. Candidates are shuffled
 * per ballot (crypto random) and the order is recorded. Null when nothing is left.
 */
export async function nextBallot(actor: Actor, projectId: string, exclude: string[] = []): Promise<BallotView | null> {
  await requireProjectRole(actor, projectId, ["MD"]);
  const project = await db().project.findUniqueOrThrow({ where: { id: projectId } });
  const round = await db().round.findFirst({ where: { projectId, status: "VOTING" }, orderBy: { number: "desc" } });
  if (!round) return null;
  const mode = round.stage === "STAGE_I" ? project.selectionMode : "NWAY";
  const mine = await db().ballot.findFirst({ where: { roundId: round.id, voterId: actor.userId, closedAt: null, id: { notIn: exclude } }, orderBy: { issuedAt: "asc" } });
  if (mine) {
    const img = await db().image.findUniqueOrThrow({ where: { id: mine.imageId }, select: { width: true, height: true, state: true } });
    if (img.state === "AWAITING_VOTE") return view(mine, mode, img);
    await db().ballot.update({ where: { id: mine.id }, data: { closedAt: new Date() } });
  }
  const holdSince = new Date(Date.now() - BALLOT_HOLD_MS);
  const skipped: string[] = [];
  // First skip images other voters hold locked (spreads voters over images); if that finds
  // nothing, wait for the lock, then re-count in a fresh statement before issuing a ballot.
  for (const wait of [false, true, true, true]) {
    const issued = await db().$transaction(async (tx) => {
      const rows = await tx.$queryRawUnsafe<{ id: string; width: number; height: number }[]>(
        `SELECT i.id, i.width, i.height FROM "Image" i
         WHERE i."projectId" = $1::uuid AND i.state = 'AWAITING_VOTE' AND NOT (i.id = ANY($5::uuid[]))
           AND NOT EXISTS (SELECT 1 FROM "Ballot" b WHERE b."roundId" = $2::uuid AND b."imageId" = i.id AND b."voterId" = $3::uuid)
           AND (SELECT count(*) FROM "Ballot" b WHERE b."roundId" = $2::uuid AND b."imageId" = i.id
                  AND (b."closedAt" IS NOT NULL OR b."issuedAt" > $4)) < $6 + i."extraVotes"
         ORDER BY i.id LIMIT 1
         FOR UPDATE OF i ${wait ? "" : "SKIP LOCKED"}`,
        projectId, round.id, actor.userId, holdSince, skipped, project.votesPerImage,
      );
      if (!rows.length) return null;
      const image = rows[0];
      const fresh = await tx.$queryRaw<{ n: bigint; extra: number }[]>`
        SELECT (SELECT count(*) FROM "Ballot" b WHERE b."roundId" = ${round.id}::uuid AND b."imageId" = ${image.id}::uuid
                  AND (b."closedAt" IS NOT NULL OR b."issuedAt" > ${holdSince})) AS n,
               (SELECT "extraVotes" FROM "Image" WHERE id = ${image.id}::uuid) AS extra`;
      if (Number(fresh[0].n) >= project.votesPerImage + fresh[0].extra) {
        skipped.push(image.id);
        return "full" as const;
      }
      const candidates = await tx.candidate.findMany({ where: { roundId: round.id, imageId: image.id }, select: { id: true } });
      const ballot = await tx.ballot.create({
        data: { id: randomUUID(), roundId: round.id, imageId: image.id, voterId: actor.userId, shownOrder: secureShuffle(candidates.map((c) => c.id)) },
      });
      return view(ballot, mode, image);
    });
    if (issued && issued !== "full") return issued;
    if (issued === null && wait) return null;
  }
  return null;
}

async function diceBetweenCandidates(tx: Tx, ids: string[]) {
  const cands = await tx.candidate.findMany({ where: { id: { in: ids } }, select: { id: true, maskId: true } });
  const masks = await tx.mask.findMany({ where: { id: { in: cands.map((c) => c.maskId) } }, select: { id: true, storageKey: true } });
  const pixels = new Map<string, Uint8Array>();
  for (const c of cands) pixels.set(c.id, (await loadMask(masks.find((m) => m.id === c.maskId)!.storageKey)).mask);
  return (a: string, b: string) => dice(pixels.get(a)!, pixels.get(b)!);
}

/**
 * Records a vote. Idempotent on the key (a retry returns the first result); a voter votes
 * once per image per round; the image row lock serialises parallel voters so exactly the
 * required number of votes is counted. The last needed vote decides the image.
 */
export async function castVote(actor: Actor, ballotId: string, input: CastVoteInput) {
  const v = castVoteSchema.parse(input);
  const prior = await db().vote.findUnique({ where: { idempotencyKey: v.idempotencyKey } });
  if (prior) {
    if (prior.voterId !== actor.userId) throw new AppError("CONFLICT", "This idempotency key was used by someone else");
    return { voteId: prior.id, duplicate: true };
  }
  const ballot = await db().ballot.findUnique({ where: { id: ballotId } });
  if (!ballot || ballot.voterId !== actor.userId) throw new AppError("NOT_FOUND", "Ballot not found");
  const image = await db().image.findUniqueOrThrow({ where: { id: ballot.imageId }, select: { projectId: true } });
  await requireProjectRole(actor, image.projectId, ["MD"]);
  if (v.choice !== null && v.choice > ballot.shownOrder.length) throw new AppError("BAD_REQUEST", "No candidate at that position");

  try {
    return await db().$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM "Image" WHERE id = ${ballot.imageId}::uuid FOR UPDATE`;
      const again = await tx.vote.findUnique({ where: { ballotId } });
      if (again?.idempotencyKey === v.idempotencyKey) return { voteId: again.id, duplicate: true };
      if (again) throw new AppError("CONFLICT", "You already voted on this image in this round");
      const img = await tx.image.findUniqueOrThrow({ where: { id: ballot.imageId } });
      const project = await tx.project.findUniqueOrThrow({ where: { id: img.projectId } });
      if (img.state !== "AWAITING_VOTE") throw new AppError("CONFLICT", "The vote on this image is closed");
      const counted = await tx.vote.count({ where: { roundId: ballot.roundId, imageId: ballot.imageId } });
      const needed = project.votesPerImage + img.extraVotes;
      if (counted >= needed) throw new AppError("CONFLICT", "This image already has the votes it needs");
      const candidateId = v.choice === null ? null : ballot.shownOrder[v.choice - 1];
      const vote = await tx.vote.create({
        data: {
          ballotId,
          roundId: ballot.roundId,
          imageId: ballot.imageId,
          voterId: actor.userId,
          candidateId,
          noneAcceptable: candidateId === null,
          durationMs: v.durationMs,
          idempotencyKey: v.idempotencyKey,
          duels: (v.duels ?? undefined) as Prisma.InputJsonValue | undefined,
        },
      });
      await tx.ballot.update({ where: { id: ballotId }, data: { closedAt: new Date() } });
      await recordAudit({ action: "vote.cast", objectType: "Image", objectId: ballot.imageId, projectId: img.projectId, actorId: actor.userId, after: { roundId: ballot.roundId, position: v.choice, durationMs: v.durationMs } }, tx);
      if (counted + 1 >= needed) await decideImage(tx, img.projectId, ballot.roundId, ballot.imageId, project.agreementDice, project.tieBreak);
      return { voteId: vote.id, duplicate: false };
    });
  } catch (e) {
    if ((e as { code?: string }).code === "P2002") {
      const dup = await db().vote.findUnique({ where: { idempotencyKey: v.idempotencyKey } });
      if (dup) return { voteId: dup.id, duplicate: true };
      throw new AppError("CONFLICT", "You already voted on this image in this round");
    }
    throw e;
  }
}

async function decideImage(tx: Tx, projectId: string, roundId: string, imageId: string, agreementDice: number, tieBreak: "ANOTHER_MD" | "LEAD") {
  const votes = await tx.vote.findMany({ where: { roundId, imageId }, select: { candidateId: true } });
  const distinct = [...new Set(votes.map((x) => x.candidateId).filter((x): x is string => x !== null))];
  const diceOf = distinct.length > 1 ? await diceBetweenCandidates(tx, distinct) : () => 1;
  const t = tallyVotes(votes, diceOf, agreementDice);
  const round = await tx.round.findUniqueOrThrow({ where: { id: roundId } });
  if (t.outcome === "accept") {
    const cand = await tx.candidate.findUniqueOrThrow({ where: { id: t.candidateId } });
    const mask = await tx.mask.findUniqueOrThrow({ where: { id: cand.maskId } });
    await acceptGroundTruth(tx, { projectId, imageId, maskId: mask.id, roundId, stage: round.stage, decision: "CONSENSUS", sourceKind: mask.kind });
  } else if (t.outcome === "reject") {
    await reopenRedraw(tx, projectId, imageId, roundId);
    await recordAudit({ action: "vote.rejected_all", objectType: "Image", objectId: imageId, projectId, after: { roundId } }, tx);
  } else {
    const img = await tx.image.findUniqueOrThrow({ where: { id: imageId } });
    if (tieBreak === "ANOTHER_MD" && img.extraVotes < 2) {
      await tx.image.update({ where: { id: imageId }, data: { extraVotes: { increment: 1 } } });
    } else {
      await tx.image.update({ where: { id: imageId }, data: { state: "DISPUTED" } });
    }
    await recordAudit({ action: "vote.tie", objectType: "Image", objectId: imageId, projectId, after: { roundId, tieBreak } }, tx);
  }
  await maybeCloseRound(tx, roundId);
}

/** The lead settles a disputed image: a candidate of the round, or none (→ redraw). */
export async function resolveDispute(actor: Actor, imageId: string, candidateId: string | null) {
  const image = await db().image.findUnique({ where: { id: imageId } });
  if (!image) throw new AppError("NOT_FOUND", "Image not found");
  await requireProjectRole(actor, image.projectId, ["LEAD"]);
  return db().$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Image" WHERE id = ${imageId}::uuid FOR UPDATE`;
    const img = await tx.image.findUniqueOrThrow({ where: { id: imageId } });
    if (img.state !== "DISPUTED") throw new AppError("CONFLICT", "This image is not disputed");
    const round = await tx.round.findFirstOrThrow({ where: { projectId: img.projectId, status: "VOTING" }, orderBy: { number: "desc" } });
    if (candidateId) {
      const cand = await tx.candidate.findFirst({ where: { id: candidateId, imageId, roundId: round.id } });
      if (!cand) throw new AppError("NOT_FOUND", "Candidate not found");
      const mask = await tx.mask.findUniqueOrThrow({ where: { id: cand.maskId } });
      await acceptGroundTruth(tx, { projectId: img.projectId, imageId, maskId: mask.id, roundId: round.id, stage: round.stage, decision: "LEAD", sourceKind: mask.kind, decidedById: actor.userId });
    } else {
      await reopenRedraw(tx, img.projectId, imageId, round.id);
    }
    await maybeCloseRound(tx, round.id);
    return { ok: true };
  });
}
