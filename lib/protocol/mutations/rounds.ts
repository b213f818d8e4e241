// Round state: a round opens its vote once its runs and predictions are done, and closes when
// no image of it waits any more.
import "server-only";
import { db } from "../../db/client";
import { recordAudit } from "../../audit/mutations";
import { gateFailures } from "../queries";
import { applyCandidatesPlan, planCandidates } from "../../voting/mutations/prepare";
import type { Tx } from "./project-lock";
import { runnerOf, sql } from "../../db/raw";
import { Prisma } from "../../db/generated/client";
import type { ImageState } from "../../db/generated/enums";
import { countRoundCandidates } from "./dashboard-totals";

/**
 * Opens the vote once every run of the round has trained and all its prediction jobs are
 * done. Stage I adds each image's manual mask as a candidate. Safe to call repeatedly.
 */
export async function maybeOpenVoting(roundId: string, exceptJobId?: string): Promise<boolean> {
  const ready = await db().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<
      { status: string; projectId: string; stage: "STAGE_I" | "STAGE_II"; gateOverrideAt: Date | null }[]
    >`
      SELECT status, "projectId", stage, "gateOverrideAt" FROM "Round" WHERE id = ${roundId}::uuid FOR UPDATE`;
    const round = rows[0];
    if (!round || (round.status !== "TRAINING" && round.status !== "PREDICTING")) return false;
    const unfinishedRuns = await tx.modelRun.count({ where: { roundId, status: { not: "SUCCEEDED" } } });
    if (unfinishedRuns) return false;
    const runIds = (await tx.modelRun.findMany({ where: { roundId }, select: { id: true } })).map((r) => r.id);
    const pending = await tx.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM "Job" WHERE name = 'predict' AND status <> 'SUCCEEDED'
        AND payload->>'runId' = ANY(${runIds}::text[]) AND id::text <> ${exceptJobId ?? ""}`;
    if (Number(pending[0].n) > 0) {
      if (round.status === "TRAINING")
        await tx.round.update({ where: { id: roundId }, data: { status: "PREDICTING" } });
      return false;
    }
    // Quality gate: no vote on candidates of models below the project's held-out F1, unless
    // the lead overrode it (lib/protocol/quality-gate.ts).
    if (!round.gateOverrideAt) {
      const project = await tx.project.findUniqueOrThrow({
        where: { id: round.projectId },
        select: { qualityGateF1: true },
      });
      const failing = await gateFailures(tx, roundId, project.qualityGateF1);
      if (failing.length) {
        if (round.status === "TRAINING")
          await tx.round.update({ where: { id: roundId }, data: { status: "PREDICTING" } });
        const told = await tx.auditLog.count({
          where: { objectType: "Round", objectId: roundId, action: "round.gate_held" },
        });
        if (!told)
          await recordAudit(
            {
              action: "round.gate_held",
              objectType: "Round",
              objectId: roundId,
              projectId: round.projectId,
              after: { threshold: project.qualityGateF1, failing },
            },
            tx,
          );
        return false;
      }
    }
    if (round.stage === "STAGE_I") {
      await tx.$executeRaw`
        INSERT INTO "Candidate" (id, "roundId", "imageId", "maskId", "createdAt")
        SELECT gen_random_uuid(), ${roundId}::uuid, m."imageId", m.id, now()
        FROM "Mask" m JOIN "Task" t ON t.id = m."taskId"
        WHERE t."roundId" = ${roundId}::uuid AND t.kind = 'MANUAL'
        ON CONFLICT DO NOTHING`;
    }
    return { projectId: round.projectId, stage: round.stage };
  });
  if (!ready) return false;
  // Withheld empties, merged duplicates, style-normalised renderings; images left without a
  // candidate skip the vote (lib/voting/mutations/prepare.ts). Mask files are read and written outside
  // the transaction; the transaction that opens the vote writes the rows.
  const plan = await planCandidates(roundId);
  return db().$transaction(
    async (tx) => {
      const again = await tx.$queryRaw<
        { status: string }[]
      >`SELECT status FROM "Round" WHERE id = ${roundId}::uuid FOR UPDATE`;
      if (again[0].status !== "TRAINING" && again[0].status !== "PREDICTING") return false;
      const round = { id: roundId, ...ready };
      const toVote = await applyCandidatesPlan(tx, round, plan);
      await tx.$executeRaw`
      UPDATE "Image" SET state = 'AWAITING_VOTE'
      WHERE id = ANY(${toVote}::uuid[]) AND state NOT IN ('ACCEPTED', 'AWAITING_REDRAW', 'AWAITING_CONFIRMATION')`;
      await tx.round.update({ where: { id: roundId }, data: { status: "VOTING" } });
      await countRoundCandidates(runnerOf(tx), round.projectId, roundId);
      await recordAudit(
        {
          action: "round.voting_open",
          objectType: "Round",
          objectId: roundId,
          projectId: round.projectId,
          after: { images: toVote.length },
        },
        tx,
      );
      await maybeCloseRound(tx, roundId);
      return true;
    },
    { timeout: 10 * 60_000 },
  );
}

/**
 * EXISTS: an image of the round in one of `states` (other than `except`), which the image index
 * answers at the first it finds. `projectId` and `roundId` are SQL: a cast parameter or a column;
 * `states` are written as literals (constants of this file), as the image index's plans expect.
 */
function roundImageInStateSql(
  projectId: Prisma.Sql,
  roundId: Prisma.Sql,
  states: readonly ImageState[],
  except: Prisma.Sql = Prisma.empty,
) {
  return Prisma.sql`EXISTS (SELECT 1 FROM "Image" o WHERE o."projectId" = ${projectId} AND o.state IN (${Prisma.raw(states.map((x) => `'${x}'`).join(", "))}) ${except}
                         AND EXISTS (SELECT 1 FROM "Candidate" oc WHERE oc."roundId" = ${roundId} AND oc."imageId" = o.id))`;
}

/**
 * Whether an image of the round (other than `except`) awaits a vote. The vote reads it under its
 * image lock, and the check after a vote's commit reads it again.
 */
export function awaitingVoteSql(projectId: Prisma.Sql, roundId: string, except: Prisma.Sql = Prisma.empty) {
  return roundImageInStateSql(projectId, Prisma.sql`${roundId}::uuid`, ["AWAITING_VOTE"], except);
}

/** The states in which an image keeps its round open: waiting for a vote, a redraw, a confirmation or the lead. */
const ROUND_OPEN_STATES = ["AWAITING_VOTE", "AWAITING_REDRAW", "AWAITING_CONFIRMATION", "DISPUTED"] as const;

/**
 * Closes a round when none of its images waits for a vote, a redraw or a confirmation. The
 * round's row is locked first: two transactions deciding its last images at once each check
 * after the other has committed or not at all, so one of them closes it, and only one.
 */
export async function maybeCloseRound(tx: Tx, roundId: string): Promise<boolean> {
  const [round] = await tx.$queryRaw<{ projectId: string; status: string }[]>`
    SELECT "projectId", status::text AS status FROM "Round" WHERE id = ${roundId}::uuid FOR UPDATE`;
  if (round?.status !== "VOTING") return false;
  const waiting = await tx.$queryRaw<{ any: boolean }[]>(
    Prisma.sql`SELECT ${roundImageInStateSql(Prisma.sql`${round.projectId}::uuid`, Prisma.sql`${roundId}::uuid`, ROUND_OPEN_STATES)} AS any`,
  );
  if (waiting[0].any) return false;
  await tx.round.update({ where: { id: roundId }, data: { status: "CLOSED", closedAt: new Date() } });
  const open = await tx.image.count({ where: { projectId: round.projectId, state: { not: "ACCEPTED" } } });
  await tx.project.update({
    where: { id: round.projectId },
    data: { currentStage: "STAGE_II", completedAt: open === 0 ? new Date() : null },
  });
  await recordAudit(
    {
      action: "round.close",
      objectType: "Round",
      objectId: roundId,
      projectId: round.projectId,
      after: { openImages: open },
    },
    tx,
  );
  return true;
}

/**
 * After a transaction that decided one of the round's images while others still waited for a
 * vote (and so skipped the closing check): closes the round if those others were decided
 * meanwhile. Two votes deciding the last two images at once each saw the other image waiting;
 * the one that commits last finds none here. One plain read, then a transaction only when the
 * round looks done.
 */
export async function closeRoundIfDone(projectId: string, roundId: string): Promise<boolean> {
  // The vote's own check first; maybeCloseRound then checks every waiting state.
  const [waiting] = await sql().rows<{ any: boolean }>(
    Prisma.sql`/*hot*/ SELECT ${awaitingVoteSql(Prisma.sql`${projectId}::uuid`, roundId)} AS any`,
  );
  if (waiting.any) return false;
  return db().$transaction((tx) => maybeCloseRound(tx, roundId));
}

/** Closes every voting round (of one project, when given) none of whose images waits any more: the periodic sweep. Returns their ids. */
export async function closeFinishedRounds(projectId?: string): Promise<string[]> {
  const done = await sql().rows<{ id: string }>(Prisma.sql`
    SELECT r.id FROM "Round" r
    WHERE r.status = 'VOTING' ${projectId ? Prisma.sql`AND r."projectId" = ${projectId}::uuid` : Prisma.empty}
      AND NOT ${roundImageInStateSql(Prisma.raw('r."projectId"'), Prisma.raw("r.id"), ROUND_OPEN_STATES)}`);
  const closed: string[] = [];
  for (const { id } of done) if (await db().$transaction((tx) => maybeCloseRound(tx, id))) closed.push(id);
  return closed;
}
