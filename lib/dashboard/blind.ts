import { db } from "../db/client";
import { qualityGateStatus } from "../protocol/quality-gate";
import type { BlindStats } from "./types";

/**
 * Blind-by-content figures for the lead: votes cast on one's own drawing (no other MD could),
 * candidates withheld or merged, images that skipped the vote, empty masks on COVID-19
 * images waiting for or given a second MD's confirmation, style normalisation, the gate.
 */
export async function blindStats(projectId: string): Promise<BlindStats> {
  const [r] = await db().$queryRaw<Omit<BlindStats, "gate">[]>`
    WITH rounds AS (SELECT id FROM "Round" WHERE "projectId" = ${projectId}::uuid),
    cands AS (SELECT c.* FROM "Candidate" c WHERE c."roundId" IN (SELECT id FROM rounds))
    SELECT
      (SELECT count(*) FROM "Vote" v WHERE v."roundId" IN (SELECT id FROM rounds) AND v."ownDrawing")::int AS "ownDrawingVotes",
      (SELECT count(*) FROM cands WHERE withheld = 'EMPTY')::int AS "withheldEmpty",
      (SELECT count(*) FROM cands WHERE withheld = 'SMALL')::int AS "withheldSmall",
      (SELECT count(*) FROM cands WHERE "mergedIntoId" IS NOT NULL)::int AS "mergedCandidates",
      (SELECT avg("normalisedDice") FROM cands WHERE "normalisedDice" IS NOT NULL)::float8 AS "meanNormalisedDice",
      (SELECT count(*) FROM "GroundTruth" g WHERE g."projectId" = ${projectId}::uuid AND g."isCurrent" AND g.decision = 'UNCONTESTED')::int AS "acceptedWithoutVote",
      (SELECT count(*) FROM "AuditLog" a WHERE a."projectId" = ${projectId}::uuid AND a.action = 'vote.no_candidate')::int AS "sentToDrawing",
      (SELECT count(*) FROM "Image" i JOIN "Task" t ON t."imageId" = i.id AND t.kind = 'CONFIRM' AND t.status <> 'DONE'
         JOIN "Mask" m ON m.id = t."startMaskId"
       WHERE i."projectId" = ${projectId}::uuid AND i.state = 'AWAITING_CONFIRMATION' AND m.area = 0 AND i.label = 'COVID')::int AS "emptyAwaitingConfirmation",
      (SELECT count(*) FROM "GroundTruth" g JOIN "Mask" m ON m.id = g."maskId" JOIN "Image" i ON i.id = g."imageId"
       WHERE g."projectId" = ${projectId}::uuid AND g."isCurrent" AND m.area = 0 AND i.label = 'COVID' AND g.decision = 'CONFIRMED')::int AS "emptyConfirmed"`;
  return { ...r, gate: await qualityGateStatus(projectId) };
}
