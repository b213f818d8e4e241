// Ground truth: accepting a mask (or a control's label) as an image's truth, and disputes.
import "server-only";
import { scheduleRetrainIfDue } from "../../assist/retrain";
import { auditInsertSql, imageEntry, recordAudit } from "../../audit/mutations";
import { Prisma } from "../../db/generated/client";
import { runnerOf, type SqlRunner } from "../../db/raw";
import type { TieBreak } from "../../projects/enums";
import type { Tx } from "./project-lock";
import { truthTotalsSql } from "./dashboard-totals";
import { sendToConfirmation } from "./redraws";

type AcceptInput = {
  projectId: string;
  imageId: string;
  maskId: string | null;
  roundId: string | null;
  stage: "STAGE_I" | "STAGE_II" | null;
  decision: "CONSENSUS" | "LEAD" | "CONFIRMED" | "REDRAWN" | "LABEL" | "UNCONTESTED";
  sourceKind: "MANUAL" | "MACHINE" | "REDRAW" | "EMPTY";
  decidedById?: string | null;
  emptyOnPositive?: boolean;
  retrainEvery?: number | null;
  // Whether the image has a current truth, when the caller read it under the image lock.
  hasTruth?: boolean;
};

/**
 * Accepts a mask as the image's ground truth. An earlier accepted mask is superseded (its
 * row kept, no longer current); accepted masks themselves are never modified.
 */
export async function acceptGroundTruth(tx: Tx, a: AcceptInput): Promise<{ id: string | null }> {
  // An empty mask on a COVID-19-labelled image is accepted only once a second MD confirms it.
  // (A caller that already knows whether the mask is empty on a positive image says so.)
  if (a.maskId && a.decision !== "CONFIRMED") {
    const empty =
      a.emptyOnPositive ??
      (
        await tx.$queryRaw<{ empty: boolean }[]>`
      SELECT m.area = 0 AND i.label = 'COVID' AS empty FROM "Mask" m JOIN "Image" i ON i.id = m."imageId" WHERE m.id = ${a.maskId}::uuid`
      )[0]?.empty;
    if (empty) {
      await sendToConfirmation(tx, { projectId: a.projectId, imageId: a.imageId, roundId: a.roundId }, a.maskId);
      await recordAudit(
        imageEntry("ground_truth.empty_needs_confirmation", a, { maskId: a.maskId, decision: a.decision }),
        tx,
      );
      return { id: null };
    }
  }
  const id = await insertGroundTruth(runnerOf(tx), a);
  // A caller that read the project's interactiveRetrainEvery (null: never) saves a statement.
  if (a.maskId && a.retrainEvery !== null) await scheduleRetrainIfDue(tx, a.projectId);
  return { id };
}

/**
 * The accepting statements alone (supersede the old truth, insert the new one, mark the image
 * ACCEPTED, audit), on any SQL runner: the vote's fast path calls this directly once it has
 * ruled out an empty mask on a positive image and the click-model retrain rule.
 */
export async function insertGroundTruth(
  run: SqlRunner,
  a: Pick<
    AcceptInput,
    "projectId" | "imageId" | "maskId" | "roundId" | "stage" | "decision" | "sourceKind" | "decidedById" | "hasTruth"
  >,
): Promise<string> {
  // Two statements (not one CTE): the old row must leave the one-current-per-image index
  // before the new one enters it. This runs after every deciding vote, so round trips count:
  // a caller that knows the image has no current truth saves the first.
  if (a.hasTruth !== false)
    await run.run(
      Prisma.sql`/*hot*/ WITH old AS (
        UPDATE "GroundTruth" SET "isCurrent" = NULL, "supersededAt" = now() WHERE "imageId" = ${a.imageId}::uuid AND "isCurrent"
        RETURNING "projectId", "imageId", "maskId", "roundId", decision, "acceptedAt"),
      dt AS (${truthTotalsSql("old", -1)})
      SELECT 1 FROM old`,
    );
  const audit = auditInsertSql(
    imageEntry(
      "ground_truth.accept",
      a,
      { maskId: a.maskId, decision: a.decision, sourceKind: a.sourceKind, roundId: a.roundId },
      a.decidedById,
    ),
  );
  const rows = await run.rows<{ id: string }>(Prisma.sql`
    /*hot*/ WITH g AS (
      INSERT INTO "GroundTruth" (id, "projectId", "imageId", "maskId", "roundId", stage, decision, "sourceKind", "decidedById", "isCurrent", "acceptedAt")
      VALUES (gen_random_uuid(), ${a.projectId}::uuid, ${a.imageId}::uuid, ${a.maskId}::uuid, ${a.roundId}::uuid, ${a.stage}::"Stage",
              ${a.decision}::"DecisionKind", ${a.sourceKind}::"MaskKind", ${a.decidedById ?? null}::uuid, TRUE, now())
      RETURNING id, "projectId", "imageId", "maskId", "roundId", decision, "acceptedAt"),
    im AS (UPDATE "Image" SET state = 'ACCEPTED', version = version + 1 WHERE id = ${a.imageId}::uuid),
    au AS (${audit}),
    dt AS (${truthTotalsSql("g", 1)})
    SELECT id FROM g`);
  return rows[0].id;
}

/** Controls take the empty mask by their label. */
export async function acceptControlsByLabel(tx: Tx, projectId: string) {
  await tx.$executeRaw`
    WITH g AS (
      INSERT INTO "GroundTruth" (id, "projectId", "imageId", "maskId", decision, "sourceKind", "isCurrent", "acceptedAt")
      SELECT gen_random_uuid(), i."projectId", i.id, NULL, 'LABEL', 'EMPTY', TRUE, now()
      FROM "Image" i
      WHERE i."projectId" = ${projectId}::uuid AND i.label = 'CONTROL'
        AND NOT EXISTS (SELECT 1 FROM "GroundTruth" g WHERE g."imageId" = i.id AND g."isCurrent")
      RETURNING "projectId", "imageId", "maskId", "roundId", decision, "acceptedAt"),
    dt AS (${truthTotalsSql("g", 1)})
    SELECT 1`;
  await tx.image.updateMany({
    where: { projectId, label: "CONTROL", state: { not: "ACCEPTED" } },
    data: { state: "ACCEPTED" },
  });
}

/** A tie the voters may not break any more: the image waits for the lead to settle it. */
export async function disputeImage(
  tx: Tx,
  d: { projectId: string; imageId: string; roundId: string; tieBreak: TieBreak },
) {
  await tx.image.update({ where: { id: d.imageId }, data: { state: "DISPUTED" } });
  await recordAudit(imageEntry("vote.tie", d, { roundId: d.roundId, tieBreak: d.tieBreak }), tx);
}
