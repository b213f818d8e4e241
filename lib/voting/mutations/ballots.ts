import "server-only";
import { randomInt, randomUUID } from "node:crypto";
import { db } from "../../db/client";
import { Prisma } from "../../db/generated/client";
import { runnerOf, sql, sqlTransaction, type SqlRunner } from "../../db/raw";
import { AppError } from "../../errors/app-error";
import { logger } from "../../log/logger";
import { auditInsertSql, imageEntry, recordAudit } from "../../audit/mutations";
import { requireProjectRole } from "../../auth/authorize";
import type { Actor } from "../../auth/types";
import { loadMask } from "../../masks/queries";
import { dice } from "../../masks/measures";
import {
  acceptGroundTruth,
  disputeImage,
  insertGroundTruth,
  maybeCloseRound,
  closeRoundIfDone,
  awaitingVoteSql,
  reopenRedraw,
  voteTotalsSql,
} from "../../protocol/mutations";
import { secureShuffle } from "../../protocol/random";
import { tallyVotes } from "../consensus";
import { castVoteSchema, duelSchema, type CastVoteInput, type DuelInput } from "../schema";
import { ballotLeaseMs, type BallotView } from "../types";
import { duelState, parseDuelLog } from "../duels";
import { holdBallot } from "./lease";
import { ballotSearch, FIRST_KEY, type OwnDrawings, type SearchRow } from "../ballot-search-sql";
import { uuidv7 } from "../../db/uuid";
import type { SelectionMode, TieBreak } from "../../projects/enums";

type Tx = Prisma.TransactionClient;

type Mode = SelectionMode;
type Issued = { id: string; shownOrder: string[]; duels?: unknown };

function view(ballot: Issued, mode: Mode, stage: string | null, size: { width: number; height: number }): BallotView {
  const pairwise = mode === "PAIRWISE" ? duelState(ballot.shownOrder.length, parseDuelLog(ballot.duels)) : null;
  return {
    ballotId: ballot.id,
    mode,
    width: size.width,
    height: size.height,
    imageUrl: `/api/ballots/${ballot.id}/image`,
    candidates: ballot.shownOrder.map((_, i) => ({
      position: i + 1,
      url: `/api/ballots/${ballot.id}/candidates/${i + 1}`,
    })),
    allowNone: stage !== "STAGE_I",
    duel: pairwise?.duel ?? null,
    duelWinner: pairwise?.winner ?? null,
    leaseMs: ballotLeaseMs(),
  };
}

/**
 * The voter's next ballot in the open round: their unanswered one if any, else a new one on
 * an image that still needs votes, that they have not voted on, and that they did not draw
 * while another MD could vote on it. A ballot holds its image only while leased (shown, its
 * MD active); a preloaded ballot holds nothing until shown (`holdBallot`). Candidates are
 * shuffled per ballot (crypto random) and the order is recorded. Null when nothing is left.
 */
export async function nextBallot(
  actor: Actor,
  projectId: string,
  exclude: string[] = [],
  opts: { preload?: boolean } = {},
): Promise<BallotView | null> {
  // One round trip for the role, the project's rule, the open round and the voter's open ballot.
  const ctx = await sql().rows<{
    roles: string[] | null;
    votesPerImage: number;
    selectionMode: Mode;
    ownDrawingPolicy: string;
    roundId: string | null;
    stage: string | null;
    mineId: string | null;
    mineOrder: string[] | null;
    mineDuels: unknown;
    mineLeased: boolean | null;
    mineState: string | null;
    mineWidth: number | null;
    mineHeight: number | null;
    drewAny: boolean;
  }>(Prisma.sql`
    /*hot*/ SELECT (SELECT m.roles::text[] FROM "Membership" m WHERE m."projectId" = p.id AND m."userId" = ${actor.userId}::uuid) AS roles,
           p."votesPerImage", p."selectionMode", p."ownDrawingPolicy"::text AS "ownDrawingPolicy", r.id AS "roundId", r.stage::text AS stage,
           b.id AS "mineId", b."shownOrder"::text[] AS "mineOrder", b.duels AS "mineDuels", b."leaseUntil" > now() AS "mineLeased",
           i.state::text AS "mineState", i.width AS "mineWidth", i.height AS "mineHeight",
           EXISTS (SELECT 1 FROM "Mask" dm JOIN "Candidate" dc ON dc."maskId" = dm.id AND dc."roundId" = r.id
                   WHERE dm."authorId" = ${actor.userId}::uuid AND dm.kind IN ('MANUAL', 'REDRAW')) AS "drewAny"
    FROM "Project" p
    LEFT JOIN LATERAL (SELECT id, stage FROM "Round" WHERE "projectId" = p.id AND status = 'VOTING' ORDER BY number DESC LIMIT 1) r ON TRUE
    LEFT JOIN LATERAL (SELECT id, "shownOrder", duels, "leaseUntil", "imageId" FROM "Ballot" WHERE "roundId" = r.id AND "voterId" = ${actor.userId}::uuid
                         AND "closedAt" IS NULL AND NOT (id = ANY(${exclude}::uuid[])) ORDER BY "issuedAt" LIMIT 1) b ON TRUE
    LEFT JOIN "Image" i ON i.id = b."imageId"
    WHERE p.id = ${projectId}::uuid`);
  const c = ctx[0];
  if (!c) throw new AppError("NOT_FOUND", "Project not found");
  if (!actor.isAdmin) {
    if (!c.roles) throw new AppError("NOT_FOUND", "Project not found");
    if (!c.roles.includes("MD")) throw new AppError("FORBIDDEN", "This needs one of the roles MD in this project");
  }
  if (!c.roundId) return null;
  const round = { id: c.roundId };
  const project = { votesPerImage: c.votesPerImage };
  const mode: Mode = c.stage === "STAGE_I" ? c.selectionMode : "NWAY";
  const lease = ballotLeaseMs();
  if (c.mineId) {
    const mine = { id: c.mineId, shownOrder: c.mineOrder!, duels: c.mineDuels };
    const size = { width: c.mineWidth!, height: c.mineHeight! };
    if (c.mineState === "AWAITING_VOTE" && (opts.preload || c.mineLeased)) {
      if (c.mineLeased)
        await sql().run(
          Prisma.sql`/*hot*/ UPDATE "Ballot" SET "leaseUntil" = now() + ${lease} * interval '1 millisecond' WHERE id = ${c.mineId}::uuid`,
        );
      return view(mine, mode, c.stage, size);
    }
    if (c.mineState === "AWAITING_VOTE" && (await holdBallot(actor, c.mineId)).held)
      return view(mine, mode, c.stage, size);
    await sql().run(
      Prisma.sql`UPDATE "Ballot" SET "closedAt" = now(), "leaseUntil" = NULL WHERE id = ${c.mineId}::uuid AND "closedAt" IS NULL`,
    );
    return nextBallot(actor, projectId, exclude, opts);
  }
  const skipped: string[] = [];
  // First skip images other voters hold locked (spreads voters over images); if that finds
  // nothing, wait for the lock, then re-count in a fresh statement before issuing a ballot.
  // An image found full (another voter's lease came first) is skipped and does not count as a
  // try: under many voters, giving up after a few full images told MDs "nothing left" wrongly.
  // Waiting for a locked row only follows a try that found nothing unlocked. Each full image
  // joins `skipped`, so every attempt moves on; under heavy contention many voters start at the
  // same images, and a small cap told a slow voter "nothing left" while thousands waited.
  for (let attempt = 0, tries = 0, wait = false; attempt < 1000 && tries < 6; attempt++) {
    const issued = await sqlTransaction(async (tx) => {
      // The voter's own drawings are skipped first; they are served only as a last resort, when
      // the project allows it and no other MD could vote on them.
      const from = (own: OwnDrawings, start: number) =>
        tx.rows<SearchRow>(
          ballotSearch(own, wait, {
            projectId,
            roundId: round.id,
            voterId: actor.userId,
            skipped,
            votesPerImage: project.votesPerImage,
            exclude,
            start,
          }),
        );
      // From a random point of the shuffle, then (nothing past it) from the start.
      const start = randomInt(FIRST_KEY, -FIRST_KEY);
      const search = async (own: OwnDrawings) => {
        const rows = await from(own, start);
        return rows.length ? rows : from(own, FIRST_KEY);
      };
      let rows = await search(c.drewAny ? "skip" : "none-drawn");
      if (!rows.length && c.drewAny && c.ownDrawingPolicy === "ALLOW_RECORDED") rows = await search("last-resort");
      if (!rows.length) return null;
      const image = rows[0];
      if (!image.candidates.length) {
        skipped.push(image.id);
        return "full" as const;
      }
      // The count in the search comes from the statement's snapshot, which may predate a ballot
      // another voter committed just before we took the lock: the insert counts again in its own
      // (fresh) statement and adds nothing when the image is full. A voter's earlier ballot on
      // this image (released, never voted) is reopened with its recorded order.
      // A ballot is a lease, not a decision: if the server crashed before this commit reached
      // the disk, the MD would simply be given a ballot again. So the statement that writes it
      // also tells the transaction not to wait for the WAL flush (votes, in castVote, still do);
      // set there rather than by a SET LOCAL of its own, which cost a round trip.
      const rowsB = await tx.rows<Issued>(Prisma.sql`
        /*hot*/ INSERT INTO "Ballot" (id, "roundId", "imageId", "voterId", "shownOrder", "issuedAt", "leaseUntil")
        SELECT ${randomUUID()}::uuid, ${round.id}::uuid, ${image.id}::uuid, ${actor.userId}::uuid, ${secureShuffle(image.candidates)}::uuid[], now(),
               ${opts.preload ? null : new Date(Date.now() + lease)}::timestamptz
        FROM (SELECT set_config('synchronous_commit', 'off', true)) no_flush
        WHERE ${!!opts.preload}
           OR (SELECT count(*) FROM "Vote" v WHERE v."roundId" = ${round.id}::uuid AND v."imageId" = ${image.id}::uuid)
            + (SELECT count(*) FROM "Ballot" b WHERE b."roundId" = ${round.id}::uuid AND b."imageId" = ${image.id}::uuid
                 AND b."closedAt" IS NULL AND b."leaseUntil" > now()) < ${project.votesPerImage + image.extra}
        ON CONFLICT ("roundId", "imageId", "voterId") DO UPDATE SET "closedAt" = NULL, "leaseUntil" = EXCLUDED."leaseUntil"
        RETURNING id, "shownOrder"::text[] AS "shownOrder", duels`);
      if (!rowsB.length) {
        skipped.push(image.id);
        return "full" as const;
      }
      return view(rowsB[0], mode, c.stage, image);
    });
    if (issued && issued !== "full") return issued;
    if (issued === null) tries++;
    const waited = wait;
    wait = issued === null;
    // A locked row that changed while we waited drops out of the LIMIT 1 without a
    // replacement, so "nothing" is only believed when no lock was involved.
    if (issued === null && waited && !(await votableImageExists(projectId, round.id, actor.userId, skipped)))
      return null;
  }
  return null;
}

async function votableImageExists(projectId: string, roundId: string, voterId: string, skipped: string[]) {
  const r = await sql().rows<{ any: boolean }>(Prisma.sql`
    SELECT EXISTS (SELECT 1 FROM "Image" i
       WHERE i."projectId" = ${projectId}::uuid AND i.state = 'AWAITING_VOTE' AND NOT (i.id = ANY(${skipped}::uuid[]))
         AND NOT EXISTS (SELECT 1 FROM "Vote" v WHERE v."roundId" = ${roundId}::uuid AND v."imageId" = i.id AND v."voterId" = ${voterId}::uuid)) AS any`);
  return r[0].any;
}

async function diceBetweenCandidates(tx: Tx, ids: string[]) {
  const cands = (
    await tx.candidate.findMany({ where: { id: { in: ids } }, select: { id: true, maskId: true, shownMaskId: true } })
  ).map((c) => ({ id: c.id, maskId: c.shownMaskId ?? c.maskId }));
  const masks = await tx.mask.findMany({
    where: { id: { in: cands.map((c) => c.maskId) } },
    select: { id: true, storageKey: true },
  });
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
  try {
    // Most votes are a few SQL statements and run as plain SQL (lib/db/raw.ts), which costs a
    // fraction of a Prisma transaction. A vote whose decision needs more of the protocol (a
    // tally over several votes, "none acceptable", a tie, an empty mask to confirm, the click
    // model's retrain rule, the round's last image) is rolled back and redone in one.
    let r: Recorded;
    try {
      r = await sqlTransaction((run) => recordVote(run, null, actor, ballotId, v));
    } catch (e) {
      if (!(e instanceof NeedsFullTransaction)) throw e;
      r = await db().$transaction((tx) => recordVote(runnerOf(tx), tx, actor, ballotId, v));
    }
    // The vote is committed: a failed check must not report it lost (the periodic sweep,
    // closeFinishedRounds, closes the round then).
    const after = r.decidedWhileOthersWaited;
    if (after)
      await closeRoundIfDone(after.projectId, after.roundId).catch((e) =>
        logger.warn("round.close_check_failed", { roundId: after.roundId, err: String(e) }),
      );
    return { voteId: r.voteId, duplicate: r.duplicate };
  } catch (e) {
    const code = (e as { code?: string; meta?: { code?: string } }).code;
    if (
      code === "P2002" ||
      code === "P2010" ||
      code === "23505" ||
      /23505|unique/i.test(String((e as Error).message))
    ) {
      const dup = await db().vote.findUnique({ where: { idempotencyKey: v.idempotencyKey } });
      if (dup) return { voteId: dup.id, duplicate: true };
      throw new AppError("CONFLICT", "You already voted on this image in this round");
    }
    throw e;
  }
}

class NeedsFullTransaction extends Error {}

type Recorded = {
  voteId: string;
  duplicate: boolean;
  /** The vote decided its image while other images of the round waited: the round's closing check is left to after the commit. */
  decidedWhileOthersWaited?: { projectId: string; roundId: string };
};

/** One vote in one transaction: `tx` is null on the plain-SQL path, which only takes simple decisions. */
async function recordVote(
  run: SqlRunner,
  tx: Tx | null,
  actor: Actor,
  ballotId: string,
  v: CastVoteInput,
): Promise<Recorded> {
  // First statement: the ballot, its round, a prior vote with this key, the voter's roles,
  // and the image row lock, which serialises every vote on this image.
  const pre = await run.rows<{
    voterId: string;
    imageId: string;
    roundId: string;
    shownOrder: string[];
    duels: unknown;
    selectionMode: string;
    projectId: string;
    stage: "STAGE_I" | "STAGE_II";
    priorId: string | null;
    priorVoter: string | null;
    roles: string[] | null;
    ownDrawing: boolean;
  }>(Prisma.sql`
        /*hot*/ SELECT b."voterId", b."imageId", b."roundId", b."shownOrder"::text[] AS "shownOrder", b.duels, p."selectionMode"::text AS "selectionMode",
               r."projectId", r.stage::text AS stage,
               pv.id AS "priorId", pv."voterId" AS "priorVoter",
               (SELECT m.roles::text[] FROM "Membership" m WHERE m."projectId" = r."projectId" AND m."userId" = ${actor.userId}::uuid) AS roles,
               EXISTS (SELECT 1 FROM "Candidate" dc JOIN "Mask" dm ON dm.id = dc."maskId"
                       WHERE dc."roundId" = b."roundId" AND dc."imageId" = b."imageId" AND dm."authorId" = ${actor.userId}::uuid AND dm.kind IN ('MANUAL', 'REDRAW')) AS "ownDrawing"
        FROM "Ballot" b JOIN "Round" r ON r.id = b."roundId" JOIN "Project" p ON p.id = r."projectId" JOIN "Image" i ON i.id = b."imageId"
        LEFT JOIN "Vote" pv ON pv."idempotencyKey" = ${v.idempotencyKey}
        WHERE b.id = ${ballotId}::uuid
        FOR UPDATE OF i`);
  const ballot = pre[0];
  if (ballot?.priorId) {
    if (ballot.priorVoter !== actor.userId)
      throw new AppError("CONFLICT", "This idempotency key was used by someone else");
    return { voteId: ballot.priorId, duplicate: true };
  }
  if (!ballot || ballot.voterId !== actor.userId) throw new AppError("NOT_FOUND", "Ballot not found");
  if (!actor.isAdmin && !ballot.roles?.includes("MD"))
    throw new AppError(ballot.roles ? "FORBIDDEN" : "NOT_FOUND", "Ballot not found");
  if (v.choice !== null && v.choice > ballot.shownOrder.length)
    throw new AppError("BAD_REQUEST", "No candidate at that position");
  if (v.choice === null && ballot.stage === "STAGE_I")
    throw new AppError("BAD_REQUEST", 'Stage I picks the best candidate: "none acceptable" is a Stage-II choice');
  const pairwise = ballot.stage === "STAGE_I" && ballot.selectionMode === "PAIRWISE";
  const duelLog = parseDuelLog(ballot.duels);
  if (pairwise) {
    const { winner } = duelState(ballot.shownOrder.length, duelLog);
    if (winner === null) throw new AppError("CONFLICT", "Finish the pairwise comparisons first");
    if (v.choice !== winner)
      throw new AppError("BAD_REQUEST", `The pairwise comparisons chose mask ${winner}, not ${v.choice}`);
  }
  const candidateId = v.choice === null ? null : ballot.shownOrder[v.choice - 1];
  // Second statement, for a snapshot taken after the lock: the first one's predates the lock
  // it waited for and could miss the vote the previous holder just committed. It also reads
  // what deciding needs (the chosen candidate's accepted rendering, whether the image has a
  // current truth), so the common decision costs no further reads.
  const locked = await run.rows<{
    state: string;
    extraVotes: number;
    votesPerImage: number;
    agreementDice: number;
    tieBreak: TieBreak;
    retrainEvery: number | null;
    counted: number;
    againId: string | null;
    againKey: string | null;
    othersWaiting: boolean;
    hasTruth: boolean;
    chosenMaskId: string | null;
    chosenKind: "MANUAL" | "MACHINE" | "REDRAW" | null;
    chosenEmptyOnPositive: boolean | null;
  }>(Prisma.sql`
        /*hot*/ SELECT i.state::text AS state, i."extraVotes", p."votesPerImage", p."agreementDice", p."tieBreak"::text AS "tieBreak", p."interactiveRetrainEvery" AS "retrainEvery",
               (SELECT count(*) FROM "Vote" x WHERE x."roundId" = ${ballot.roundId}::uuid AND x."imageId" = i.id)::int AS counted,
               av.id AS "againId", av."idempotencyKey" AS "againKey",
               ${awaitingVoteSql(Prisma.raw('i."projectId"'), ballot.roundId, Prisma.raw("AND o.id <> i.id"))} AS "othersWaiting",
               EXISTS (SELECT 1 FROM "GroundTruth" g WHERE g."imageId" = i.id AND g."isCurrent") AS "hasTruth",
               ch."maskId" AS "chosenMaskId", ch.kind AS "chosenKind", ch."emptyOnPositive" AS "chosenEmptyOnPositive"
        FROM "Image" i JOIN "Project" p ON p.id = i."projectId"
        LEFT JOIN "Vote" av ON av."ballotId" = ${ballotId}::uuid
        LEFT JOIN (${chosenCandidateSql(candidateId)}) ch ON TRUE
        WHERE i.id = ${ballot.imageId}::uuid`);
  const img = locked[0];
  if (img.againId && img.againKey === v.idempotencyKey) return { voteId: img.againId, duplicate: true };
  if (img.againId) throw new AppError("CONFLICT", "You already voted on this image in this round");
  if (img.state !== "AWAITING_VOTE") throw new AppError("CONFLICT", "The vote on this image is closed");
  const needed = img.votesPerImage + img.extraVotes;
  if (img.counted >= needed) throw new AppError("CONFLICT", "This image already has the votes it needs");
  const chosen: Chosen | undefined =
    candidateId && img.chosenMaskId && img.chosenKind
      ? { candidateId, maskId: img.chosenMaskId, kind: img.chosenKind, emptyOnPositive: !!img.chosenEmptyOnPositive }
      : undefined;
  const decides = img.counted + 1 >= needed;
  // The plain-SQL path takes only the common decision: one vote needed, for a mask that is
  // not empty on a positive image, with other images still waiting and no retrain rule.
  const simple = needed === 1 && !!chosen && !chosen.emptyOnPositive && img.othersWaiting && img.retrainEvery === null;
  if (!tx && decides && !simple) throw new NeedsFullTransaction();
  const voteId = uuidv7();
  const audit = auditInsertSql(
    imageEntry(
      "vote.cast",
      ballot,
      {
        roundId: ballot.roundId,
        position: v.choice,
        durationMs: v.durationMs,
        ...(ballot.ownDrawing ? { ownDrawing: true } : {}),
      },
      actor.userId,
    ),
  );
  await run.run(Prisma.sql`
        /*hot*/ WITH nv AS (
          INSERT INTO "Vote" (id, "ballotId", "roundId", "imageId", "voterId", "candidateId", "noneAcceptable", duels, "durationMs", "ownDrawing", "idempotencyKey", "createdAt")
          VALUES (${voteId}::uuid, ${ballotId}::uuid, ${ballot.roundId}::uuid, ${ballot.imageId}::uuid, ${actor.userId}::uuid, ${candidateId}::uuid,
                  ${candidateId === null}, ${pairwise ? JSON.stringify(duelLog) : null}::jsonb, ${v.durationMs}, ${ballot.ownDrawing}, ${v.idempotencyKey}, now())
          RETURNING id),
        cb AS (UPDATE "Ballot" SET "closedAt" = now(), "leaseUntil" = NULL WHERE id = ${ballotId}::uuid),
        au AS (${audit}),
        dt AS (${voteTotalsSql({ projectId: ballot.projectId, roundId: ballot.roundId, imageId: ballot.imageId, voterId: actor.userId, candidateId, durationMs: v.durationMs, ownDrawing: ballot.ownDrawing })})
        SELECT id FROM nv`);
  if (decides && !tx && chosen) {
    // Not a tally: the one vote needed chose this mask.
    await insertGroundTruth(run, {
      projectId: ballot.projectId,
      imageId: ballot.imageId,
      maskId: chosen.maskId,
      roundId: ballot.roundId,
      stage: ballot.stage,
      decision: "CONSENSUS",
      sourceKind: chosen.kind,
      hasTruth: img.hasTruth,
    });
  } else if (decides && tx) {
    const votes =
      needed === 1
        ? [{ candidateId }]
        : await tx.vote.findMany({
            where: { roundId: ballot.roundId, imageId: ballot.imageId },
            select: { candidateId: true },
          });
    await decideImage(
      tx,
      {
        projectId: ballot.projectId,
        roundId: ballot.roundId,
        stage: ballot.stage,
      },
      ballot.imageId,
      votes,
      img.agreementDice,
      img.tieBreak,
      {
        retrainEvery: img.retrainEvery,
        othersWaiting: img.othersWaiting,
        hasTruth: img.hasTruth,
        chosen,
      },
    );
  }
  return {
    voteId,
    duplicate: false,
    decidedWhileOthersWaited:
      decides && img.othersWaiting ? { projectId: ballot.projectId, roundId: ballot.roundId } : undefined,
  };
}

type Chosen = { candidateId: string; maskId: string; kind: "MANUAL" | "MACHINE" | "REDRAW"; emptyOnPositive: boolean };

/**
 * What accepting a candidate needs: its accepted rendering (the shown, style-normalised mask when
 * there is one; the original stays traced), its source kind, and whether that rendering is empty
 * on a positive image. One row, or none for a null id.
 */
function chosenCandidateSql(candidateId: string | null): Prisma.Sql {
  return Prisma.sql`SELECT a.id AS "maskId", m.kind::text AS kind, a.area = 0 AND ci.label = 'COVID' AS "emptyOnPositive"
          FROM "Candidate" c JOIN "Mask" m ON m.id = c."maskId" JOIN "Mask" a ON a.id = COALESCE(c."shownMaskId", c."maskId")
          JOIN "Image" ci ON ci.id = c."imageId"
          WHERE c.id = ${candidateId}::uuid`;
}

async function decideImage(
  tx: Tx,
  round: { projectId: string; roundId: string; stage: "STAGE_I" | "STAGE_II" },
  imageId: string,
  votes: { candidateId: string | null }[],
  agreementDice: number,
  tieBreak: TieBreak,
  // Read with the image lock: the project's retrain setting, whether another image of the
  // round still waits for votes (then the round cannot close and that check is skipped),
  // whether the image has a current truth, and the deciding voter's candidate.
  known: { retrainEvery?: number | null; othersWaiting?: boolean; hasTruth?: boolean; chosen?: Chosen } = {},
) {
  const { projectId, roundId } = round;
  const distinct = [...new Set(votes.map((x) => x.candidateId).filter((x): x is string => x !== null))];
  const diceOf = distinct.length > 1 ? await diceBetweenCandidates(tx, distinct) : () => 1;
  const t = tallyVotes(votes, diceOf, agreementDice);
  if (t.outcome === "accept") {
    const m =
      known.chosen?.candidateId === t.candidateId
        ? known.chosen
        : (await tx.$queryRaw<Omit<Chosen, "candidateId">[]>(chosenCandidateSql(t.candidateId)))[0];
    await acceptGroundTruth(tx, {
      projectId,
      imageId,
      maskId: m.maskId,
      roundId,
      stage: round.stage,
      decision: "CONSENSUS",
      sourceKind: m.kind,
      emptyOnPositive: m.emptyOnPositive,
      retrainEvery: known.retrainEvery,
      hasTruth: known.hasTruth,
    });
  } else if (t.outcome === "reject") {
    await reopenRedraw(tx, projectId, imageId, roundId);
    await recordAudit(imageEntry("vote.rejected_all", { projectId, imageId }, { roundId }), tx);
  } else {
    const img = await tx.image.findUniqueOrThrow({ where: { id: imageId } });
    if (tieBreak === "ANOTHER_MD" && img.extraVotes < 2) {
      await tx.image.update({ where: { id: imageId }, data: { extraVotes: { increment: 1 } } });
      await recordAudit(imageEntry("vote.tie", { projectId, imageId }, { roundId, tieBreak }), tx);
    } else {
      await disputeImage(tx, { projectId, imageId, roundId, tieBreak });
    }
  }
  if (!known.othersWaiting) await maybeCloseRound(tx, roundId);
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
    const round = await tx.round.findFirstOrThrow({
      where: { projectId: img.projectId, status: "VOTING" },
      orderBy: { number: "desc" },
    });
    if (candidateId) {
      const cand = await tx.candidate.findFirst({ where: { id: candidateId, imageId, roundId: round.id } });
      if (!cand) throw new AppError("NOT_FOUND", "Candidate not found");
      const mask = await tx.mask.findUniqueOrThrow({ where: { id: cand.maskId } });
      await acceptGroundTruth(tx, {
        projectId: img.projectId,
        imageId,
        maskId: cand.shownMaskId ?? mask.id,
        roundId: round.id,
        stage: round.stage,
        decision: "LEAD",
        sourceKind: mask.kind as "MANUAL" | "MACHINE" | "REDRAW",
        decidedById: actor.userId,
      });
    } else {
      await reopenRedraw(tx, img.projectId, imageId, round.id);
    }
    await maybeCloseRound(tx, round.id);
    return { ok: true };
  });
}

/**
 * Records one pairwise duel (positions a and b, the winner) on the voter's ballot. The server
 * decides which duel comes next: a duel that is not the one asked for is refused, and a
 * retried one is answered with the current state.
 */
export async function recordDuel(actor: Actor, ballotId: string, input: DuelInput) {
  const d = duelSchema.parse(input);
  return db().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<
      {
        voterId: string;
        shownOrder: string[];
        duels: unknown;
        closedAt: Date | null;
        stage: string;
        selectionMode: string;
      }[]
    >`
      SELECT b."voterId", b."shownOrder"::text[] AS "shownOrder", b.duels, b."closedAt", r.stage::text AS stage, p."selectionMode"::text AS "selectionMode"
      FROM "Ballot" b JOIN "Round" r ON r.id = b."roundId" JOIN "Project" p ON p.id = r."projectId"
      WHERE b.id = ${ballotId}::uuid FOR UPDATE OF b`;
    const b = rows[0];
    if (!b || b.voterId !== actor.userId) throw new AppError("NOT_FOUND", "Ballot not found");
    if (b.stage !== "STAGE_I" || b.selectionMode !== "PAIRWISE")
      throw new AppError("CONFLICT", "This ballot is not a pairwise one");
    if (b.closedAt) throw new AppError("CONFLICT", "This ballot is closed");
    const log = parseDuelLog(b.duels);
    const done = log.findIndex((x) => x.a === d.a && x.b === d.b);
    if (done >= 0 && log[done].winner === d.winner) return duelState(b.shownOrder.length, log);
    const now = duelState(b.shownOrder.length, log);
    if (!now.duel || now.duel.a !== d.a || now.duel.b !== d.b)
      throw new AppError("CONFLICT", "That is not the comparison asked for now", { expected: now.duel });
    if (d.winner !== d.a && d.winner !== d.b)
      throw new AppError("BAD_REQUEST", "The winner must be one of the two masks compared");
    const next = [...log, d];
    await tx.ballot.update({ where: { id: ballotId }, data: { duels: next } });
    return duelState(b.shownOrder.length, next);
  });
}
