import { db } from "../db/client";
import { scheduleRetrainIfDue } from "../assist/retrain";
import type { Prisma } from "../db/generated/client";
import { AppError } from "../errors/app-error";
import { recordAudit } from "../audit/mutations";
import { requireProjectRole } from "../auth/authorize";
import type { Actor } from "../auth/types";
import { enqueue } from "../jobs/queue";
import { storeMask } from "../masks/mutations";
import { stratifiedSubset } from "./subset";
import { assignFolds } from "./folds";
import { seededRandom, shuffleWith } from "./random";
import { editSubsetSchema, selectSubsetSchema } from "./schema";
import { PREDICT_CHUNK, type Network } from "./types";
import { gateFailures } from "./quality-gate";
import { applyCandidatesPlan, planCandidates } from "../voting/prepare";
import type { z } from "zod";

type Tx = Prisma.TransactionClient;

async function lockProject(tx: Tx, projectId: string) {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Project" WHERE id = ${projectId}::uuid FOR UPDATE`;
  if (!rows.length) throw new AppError("NOT_FOUND", "Project not found");
  return tx.project.findUniqueOrThrow({ where: { id: projectId } });
}

async function latestRound(tx: Tx, projectId: string) {
  return tx.round.findFirst({ where: { projectId }, orderBy: { number: "desc" } });
}

/** Stage-I subset: COVID-positive images, stratified by source, reproducible from the seed. */
export async function selectStage1Subset(actor: Actor, projectId: string, input: z.input<typeof selectSubsetSchema>) {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const opts = selectSubsetSchema.parse(input);
  return db().$transaction(async (tx) => {
    const project = await lockProject(tx, projectId);
    if (project.currentStage) throw new AppError("CONFLICT", "Stage I has started: the subset can no longer change");
    const candidates = await tx.image.findMany({ where: { projectId, label: "COVID" }, select: { id: true, sourceDataset: true } });
    if (!candidates.length) throw new AppError("CONFLICT", "The project has no COVID-19 positive images to choose from");
    const seed = opts.seed ?? project.s1Seed;
    const size = opts.size ?? Math.max(1, Math.round((opts.fraction ?? 0) * candidates.length));
    const ids = stratifiedSubset(candidates.map((c) => ({ id: c.id, source: c.sourceDataset })), size, seed);
    await tx.image.updateMany({ where: { projectId, inS1: true }, data: { inS1: false } });
    await tx.image.updateMany({ where: { id: { in: ids } }, data: { inS1: true } });
    await tx.project.update({ where: { id: projectId }, data: { s1Seed: seed, s1Size: opts.size ?? null, s1Fraction: opts.fraction ?? null } });
    await recordAudit({ action: "stage1.subset_select", objectType: "Project", objectId: projectId, projectId, actorId: actor.userId, after: { seed, size: ids.length } }, tx);
    return { selected: ids.length, seed };
  });
}

export async function editStage1Subset(actor: Actor, projectId: string, input: z.input<typeof editSubsetSchema>) {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const { add, remove } = editSubsetSchema.parse(input);
  return db().$transaction(async (tx) => {
    const project = await lockProject(tx, projectId);
    if (project.currentStage) throw new AppError("CONFLICT", "Stage I has started: the subset can no longer change");
    const added = await tx.image.updateMany({ where: { projectId, id: { in: add }, label: "COVID" }, data: { inS1: true } });
    const removed = await tx.image.updateMany({ where: { projectId, id: { in: remove } }, data: { inS1: false } });
    await recordAudit({ action: "stage1.subset_edit", objectType: "Project", objectId: projectId, projectId, actorId: actor.userId, after: { add, remove } }, tx);
    return { added: added.count, removed: removed.count };
  });
}

/**
 * Starts Stage I: round 1, folds by patient for the subset, a manual drawing task per subset
 * image; controls get the empty mask by their label (unless the project votes on them).
 * Starting twice returns the existing round.
 */
export async function startStage1(actor: Actor, projectId: string) {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  return db().$transaction(async (tx) => {
    const project = await lockProject(tx, projectId);
    const existing = await latestRound(tx, projectId);
    if (existing) return { roundId: existing.id, created: false };
    const s1 = await tx.image.findMany({ where: { projectId, inS1: true }, select: { id: true, patientPseudonym: true, label: true } });
    if (!s1.length) throw new AppError("CONFLICT", "Choose the Stage-I subset first");
    const round = await tx.round.create({ data: { projectId, number: 1, stage: "STAGE_I", status: "DRAWING", startedById: actor.userId } });
    const folds = assignFolds(s1.map((i) => ({ id: i.id, patient: i.patientPseudonym, label: i.label })), project.folds, project.s1Seed);
    for (let f = 0; f < project.folds; f++) {
      const ids = s1.filter((i) => folds.get(i.id) === f).map((i) => i.id);
      if (ids.length) await tx.image.updateMany({ where: { id: { in: ids } }, data: { fold: f } });
    }
    await tx.image.updateMany({ where: { projectId, inS1: true }, data: { state: "AWAITING_MANUAL" } });
    await tx.task.createMany({ data: s1.map((i) => ({ projectId, imageId: i.id, roundId: round.id, kind: "MANUAL" as const })), skipDuplicates: true });
    if (!project.controlsToVote) await acceptControlsByLabel(tx, projectId);
    await tx.project.update({ where: { id: projectId }, data: { currentStage: "STAGE_I" } });
    await recordAudit({ action: "stage1.start", objectType: "Round", objectId: round.id, projectId, actorId: actor.userId, after: { images: s1.length, folds: project.folds } }, tx);
    return { roundId: round.id, created: true };
  });
}

async function acceptControlsByLabel(tx: Tx, projectId: string) {
  await tx.$executeRaw`
    INSERT INTO "GroundTruth" (id, "projectId", "imageId", "maskId", decision, "sourceKind", "isCurrent", "acceptedAt")
    SELECT gen_random_uuid(), i."projectId", i.id, NULL, 'LABEL', 'EMPTY', TRUE, now()
    FROM "Image" i
    WHERE i."projectId" = ${projectId}::uuid AND i.label = 'CONTROL'
      AND NOT EXISTS (SELECT 1 FROM "GroundTruth" g WHERE g."imageId" = i.id AND g."isCurrent")`;
  await tx.image.updateMany({ where: { projectId, label: "CONTROL", state: { not: "ACCEPTED" } }, data: { state: "ACCEPTED" } });
}

/** What stops the lead from starting Stage-I training now. */
export async function stage1TrainingBlockers(tx: Tx, projectId: string, roundId: string) {
  const missing = await tx.task.count({ where: { roundId, kind: "MANUAL", status: { not: "DONE" } } });
  return missing ? [{ code: "MANUAL_MISSING", message: `${missing} Stage-I image${missing === 1 ? "" : "s"} still lack${missing === 1 ? "s" : ""} a manual mask`, count: missing }] : [];
}

/**
 * Stage-I training: every architecture × fold; each fold's model trains on the other folds'
 * manual masks and may predict only its own fold (out-of-fold). Idempotent.
 */
export async function startStage1Training(actor: Actor, projectId: string) {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const result = await db().$transaction(async (tx) => {
    const project = await lockProject(tx, projectId);
    const round = await latestRound(tx, projectId);
    if (!round || round.stage !== "STAGE_I") throw new AppError("CONFLICT", "Start Stage I first");
    if (round.status !== "DRAWING") return { roundId: round.id, runIds: (await tx.modelRun.findMany({ where: { roundId: round.id }, select: { id: true } })).map((r) => r.id), created: false };
    const blockers = await stage1TrainingBlockers(tx, projectId, round.id);
    if (blockers.length) throw new AppError("CONFLICT", blockers[0].message, { blockers });
    const images = await tx.image.findMany({ where: { projectId, inS1: true }, select: { id: true, fold: true } });
    const runIds: string[] = [];
    for (const net of project.stage1Archs as Network[]) {
      for (let f = 0; f < project.folds; f++) {
        const run = await tx.modelRun.create({
          data: { projectId, roundId: round.id, arch: net.arch, encoder: net.encoder, fold: f, config: project.trainConfig as Prisma.InputJsonValue },
        });
        await tx.modelRunImage.createMany({ data: images.map((i) => ({ runId: run.id, imageId: i.id, trained: i.fold !== f })) });
        runIds.push(run.id);
      }
    }
    await tx.round.update({ where: { id: round.id }, data: { status: "TRAINING" } });
    await recordAudit({ action: "stage1.train_start", objectType: "Round", objectId: round.id, projectId, actorId: actor.userId, after: { runs: runIds.length } }, tx);
    return { roundId: round.id, runIds, created: true };
  });
  for (const runId of result.runIds) await enqueue("train", { runId }, { singletonKey: `train:${runId}`, projectId });
  return result;
}

/**
 * A Stage-II round: the project's Stage-II networks train on every accepted mask (controls
 * as negatives, sampled up to the number of positives) and predict every open image.
 */
export async function startStage2Round(actor: Actor, projectId: string) {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const result = await db().$transaction(async (tx) => {
    const project = await lockProject(tx, projectId);
    const last = await latestRound(tx, projectId);
    if (!last) throw new AppError("CONFLICT", "Start Stage I first");
    if (last.status !== "CLOSED") {
      if (last.stage === "STAGE_II" && last.status !== "VOTING") {
        const runs = await tx.modelRun.findMany({ where: { roundId: last.id }, select: { id: true } });
        return { roundId: last.id, runIds: runs.map((r) => r.id), created: false };
      }
      throw new AppError("CONFLICT", `Round ${last.number} is still open (${last.status.toLowerCase()})`);
    }
    const open = await tx.image.count({ where: { projectId, state: { not: "ACCEPTED" } } });
    if (!open) throw new AppError("CONFLICT", "Every image already has an accepted mask");
    const positives = await tx.groundTruth.findMany({ where: { projectId, isCurrent: true, maskId: { not: null } }, select: { imageId: true } });
    if (!positives.length) throw new AppError("CONFLICT", "No accepted masks to train on yet");
    const controls = await tx.groundTruth.findMany({ where: { projectId, isCurrent: true, maskId: null }, select: { imageId: true }, orderBy: { imageId: "asc" } });
    const negatives = shuffleWith(controls, seededRandom(`negatives:${project.s1Seed}:${last.number + 1}`)).slice(0, positives.length);
    const train = [...positives, ...negatives].map((g) => g.imageId);
    const round = await tx.round.create({ data: { projectId, number: last.number + 1, stage: "STAGE_II", status: "TRAINING", startedById: actor.userId } });
    await tx.image.updateMany({ where: { projectId, state: { notIn: ["ACCEPTED"] } }, data: { state: "AWAITING_CANDIDATES" } });
    const runIds: string[] = [];
    for (const net of project.stage2Networks as Network[]) {
      const run = await tx.modelRun.create({
        data: { projectId, roundId: round.id, arch: net.arch, encoder: net.encoder, fold: null, config: project.trainConfig as Prisma.InputJsonValue },
      });
      await tx.modelRunImage.createMany({ data: train.map((imageId) => ({ runId: run.id, imageId, trained: true })) });
      runIds.push(run.id);
    }
    await tx.project.update({ where: { id: projectId }, data: { currentStage: "STAGE_II" } });
    await recordAudit({ action: "stage2.round_start", objectType: "Round", objectId: round.id, projectId, actorId: actor.userId, after: { number: round.number, train: train.length, open } }, tx);
    return { roundId: round.id, runIds, created: true };
  });
  for (const runId of result.runIds) await enqueue("train", { runId }, { singletonKey: `train:${runId}`, projectId });
  return result;
}

/** Records a finished training run and fans its prediction out into chunked jobs. */
export async function completeTrainingRun(runId: string, out: { artifactKey: string; weightsSha256: string; metrics: unknown; paramCount?: number }) {
  const run = await db().modelRun.update({
    where: { id: runId },
    data: { status: "SUCCEEDED", artifactKey: out.artifactKey, weightsSha256: out.weightsSha256, metrics: out.metrics as Prisma.InputJsonValue, paramCount: out.paramCount, finishedAt: new Date() },
  });
  const images = await predictionImageIds(runId);
  const chunks = Math.max(1, Math.ceil(images.length / PREDICT_CHUNK));
  for (let c = 0; c < chunks; c++) {
    await enqueue("predict", { runId, chunk: c, chunks }, { singletonKey: `predict:${runId}:${c}/${chunks}`, projectId: run.projectId });
  }
  return { chunks };
}

/**
 * The images a run may predict: Stage-I runs only their held-out fold; Stage-II runs every
 * image open when the round started that the run did not train on. Never a trained image.
 */
export async function predictionImageIds(runId: string): Promise<string[]> {
  const run = await db().modelRun.findUniqueOrThrow({ where: { id: runId }, include: { round: true } });
  if (run.fold !== null) {
    const rows = await db().modelRunImage.findMany({ where: { runId, trained: false }, select: { imageId: true }, orderBy: { imageId: "asc" } });
    return rows.map((r) => r.imageId);
  }
  const rows = await db().$queryRaw<{ id: string }[]>`
    SELECT i.id FROM "Image" i
    WHERE i."projectId" = ${run.projectId}::uuid AND i.state <> 'ACCEPTED'
      AND NOT EXISTS (SELECT 1 FROM "ModelRunImage" m WHERE m."runId" = ${runId}::uuid AND m."imageId" = i.id AND m.trained)
    ORDER BY i.id`;
  return rows.map((r) => r.id);
}

export async function markRunStarted(runId: string) {
  await db().modelRun.update({ where: { id: runId }, data: { status: "RUNNING", startedAt: new Date() } });
}

export async function recordRunProgress(runId: string, progress: unknown) {
  await db().modelRun.update({ where: { id: runId }, data: { progress: progress as Prisma.InputJsonValue } });
}

export async function failRun(runId: string, message: string) {
  await db().modelRun.update({ where: { id: runId }, data: { status: "FAILED", progress: { error: message.slice(0, 2000) } } });
}

/**
 * Opens the vote once every run of the round has trained and all its prediction jobs are
 * done. Stage I adds each image's manual mask as a candidate. Safe to call repeatedly.
 */
export async function maybeOpenVoting(roundId: string, exceptJobId?: string): Promise<boolean> {
  const ready = await db().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ status: string; projectId: string; stage: "STAGE_I" | "STAGE_II"; gateOverrideAt: Date | null }[]>`
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
      if (round.status === "TRAINING") await tx.round.update({ where: { id: roundId }, data: { status: "PREDICTING" } });
      return false;
    }
    // Quality gate: no vote on candidates of models below the project's held-out F1, unless
    // the lead overrode it (lib/protocol/quality-gate.ts).
    if (!round.gateOverrideAt) {
      const project = await tx.project.findUniqueOrThrow({ where: { id: round.projectId }, select: { qualityGateF1: true } });
      const failing = await gateFailures(tx, roundId, project.qualityGateF1);
      if (failing.length) {
        if (round.status === "TRAINING") await tx.round.update({ where: { id: roundId }, data: { status: "PREDICTING" } });
        const told = await tx.auditLog.count({ where: { objectType: "Round", objectId: roundId, action: "round.gate_held" } });
        if (!told) await recordAudit({ action: "round.gate_held", objectType: "Round", objectId: roundId, projectId: round.projectId, after: { threshold: project.qualityGateF1, failing } }, tx);
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
  // candidate skip the vote (lib/voting/prepare.ts). Mask files are read and written outside
  // the transaction; the transaction that opens the vote writes the rows.
  const plan = await planCandidates(roundId);
  return db().$transaction(async (tx) => {
    const again = await tx.$queryRaw<{ status: string }[]>`SELECT status FROM "Round" WHERE id = ${roundId}::uuid FOR UPDATE`;
    if (again[0].status !== "TRAINING" && again[0].status !== "PREDICTING") return false;
    const round = { id: roundId, ...ready };
    const toVote = await applyCandidatesPlan(tx, round, plan);
    await tx.$executeRaw`
      UPDATE "Image" SET state = 'AWAITING_VOTE'
      WHERE id = ANY(${toVote}::uuid[]) AND state NOT IN ('ACCEPTED', 'AWAITING_REDRAW', 'AWAITING_CONFIRMATION')`;
    await tx.round.update({ where: { id: roundId }, data: { status: "VOTING" } });
    await recordAudit({ action: "round.voting_open", objectType: "Round", objectId: roundId, projectId: round.projectId, after: { images: toVote.length } }, tx);
    await maybeCloseRound(tx, roundId, { projectId: round.projectId, status: "VOTING" });
    return true;
  }, { timeout: 10 * 60_000 });
}

/** Closes a round when none of its images waits for a vote, a redraw or a confirmation. */
export async function maybeCloseRound(tx: Tx, roundId: string, known?: { projectId: string; status: string }): Promise<boolean> {
  const round = known ?? (await tx.round.findUniqueOrThrow({ where: { id: roundId } }));
  if (round.status !== "VOTING") return false;
  // EXISTS stops at the first waiting image: this runs after every vote.
  const waiting = await tx.$queryRaw<{ any: boolean }[]>`
    SELECT EXISTS (
      SELECT 1 FROM "Image" i
      WHERE i."projectId" = ${round.projectId}::uuid
        AND i.state IN ('AWAITING_VOTE', 'AWAITING_REDRAW', 'AWAITING_CONFIRMATION', 'DISPUTED')
        AND EXISTS (SELECT 1 FROM "Candidate" c WHERE c."roundId" = ${roundId}::uuid AND c."imageId" = i.id)
    ) AS any`;
  if (waiting[0].any) return false;
  await tx.round.update({ where: { id: roundId }, data: { status: "CLOSED", closedAt: new Date() } });
  const open = await tx.image.count({ where: { projectId: round.projectId, state: { not: "ACCEPTED" } } });
  await tx.project.update({
    where: { id: round.projectId },
    data: { currentStage: "STAGE_II", completedAt: open === 0 ? new Date() : null },
  });
  await recordAudit({ action: "round.close", objectType: "Round", objectId: roundId, projectId: round.projectId, after: { openImages: open } }, tx);
  return true;
}

/**
 * Accepts a mask as the image's ground truth. An earlier accepted mask is superseded (its
 * row kept, no longer current); accepted masks themselves are never modified.
 */
export async function acceptGroundTruth(
  tx: Tx,
  a: { projectId: string; imageId: string; maskId: string | null; roundId: string | null; stage: "STAGE_I" | "STAGE_II" | null; decision: "CONSENSUS" | "LEAD" | "CONFIRMED" | "REDRAWN" | "LABEL" | "UNCONTESTED"; sourceKind: "MANUAL" | "MACHINE" | "REDRAW" | "EMPTY"; decidedById?: string | null; emptyOnPositive?: boolean },
): Promise<{ id: string | null }> {
  // An empty mask on a COVID-19-labelled image is accepted only once a second MD confirms it.
  // (A caller that already knows whether the mask is empty on a positive image says so.)
  if (a.maskId && a.decision !== "CONFIRMED") {
    const empty = a.emptyOnPositive ?? (await tx.$queryRaw<{ empty: boolean }[]>`
      SELECT m.area = 0 AND i.label = 'COVID' AS empty FROM "Mask" m JOIN "Image" i ON i.id = m."imageId" WHERE m.id = ${a.maskId}::uuid`)[0]?.empty;
    if (empty) {
      await sendToConfirmation(tx, { projectId: a.projectId, imageId: a.imageId, roundId: a.roundId }, a.maskId);
      await recordAudit({ action: "ground_truth.empty_needs_confirmation", objectType: "Image", objectId: a.imageId, projectId: a.projectId, after: { maskId: a.maskId, decision: a.decision } }, tx);
      return { id: null };
    }
  }
  // Two statements (not one CTE): the old row must leave the one-current-per-image index
  // before the new one enters it. This runs after every deciding vote, so round trips count.
  await tx.$executeRaw`UPDATE "GroundTruth" SET "isCurrent" = NULL, "supersededAt" = now() WHERE "imageId" = ${a.imageId}::uuid AND "isCurrent"`;
  const after = JSON.stringify({ maskId: a.maskId, decision: a.decision, sourceKind: a.sourceKind, roundId: a.roundId });
  const rows = await tx.$queryRaw<{ id: string }[]>`
    WITH g AS (
      INSERT INTO "GroundTruth" (id, "projectId", "imageId", "maskId", "roundId", stage, decision, "sourceKind", "decidedById", "isCurrent", "acceptedAt")
      VALUES (gen_random_uuid(), ${a.projectId}::uuid, ${a.imageId}::uuid, ${a.maskId}::uuid, ${a.roundId}::uuid, ${a.stage}::"Stage",
              ${a.decision}::"DecisionKind", ${a.sourceKind}::"MaskKind", ${a.decidedById ?? null}::uuid, TRUE, now())
      RETURNING id),
    im AS (UPDATE "Image" SET state = 'ACCEPTED', version = version + 1 WHERE id = ${a.imageId}::uuid),
    au AS (INSERT INTO "AuditLog" (at, "actorId", "projectId", action, "objectType", "objectId", after)
           VALUES (now(), ${a.decidedById ?? null}::uuid, ${a.projectId}::uuid, 'ground_truth.accept', 'Image', ${a.imageId}, ${after}::jsonb))
    SELECT id FROM g`;
  if (a.maskId) await scheduleRetrainIfDue(tx, a.projectId);
  return { id: rows[0].id };
}

/**
 * After an MD submits a drawing task (called in the drawing transaction): a manual Stage-I
 * mask waits for training; a redraw is accepted, or goes to a second MD when the project
 * asks for confirmation; a confirmation accepts or sends the image back to be redrawn.
 */
export async function afterTaskSubmitted(
  tx: Tx,
  task: { id: string; projectId: string; imageId: string; roundId: string | null; kind: "MANUAL" | "REDRAW" | "CONFIRM"; assigneeId: string | null },
  outcome: { maskId?: string; approved?: boolean },
) {
  const project = await tx.project.findUniqueOrThrow({ where: { id: task.projectId } });
  const round = task.roundId ? await tx.round.findUnique({ where: { id: task.roundId } }) : null;
  if (task.kind === "MANUAL") {
    await tx.image.update({ where: { id: task.imageId }, data: { state: "AWAITING_CANDIDATES" } });
    return;
  }
  if (task.kind === "REDRAW") {
    if (project.redrawNeedsConfirmation) {
      await sendToConfirmation(tx, task, outcome.maskId!);
      return;
    }
    await acceptGroundTruth(tx, { projectId: task.projectId, imageId: task.imageId, maskId: outcome.maskId!, roundId: task.roundId, stage: round?.stage ?? null, decision: "REDRAWN", sourceKind: "REDRAW", decidedById: task.assigneeId });
  } else {
    const confirm = await tx.task.findUniqueOrThrow({ where: { id: task.id } });
    if (outcome.approved) {
      // A style-normalised mask reports the kind of the original it renders.
      const [start] = await tx.$queryRaw<{ kind: "MANUAL" | "MACHINE" | "REDRAW" }[]>`
        SELECT COALESCE(o.kind, m.kind)::text AS kind FROM "Mask" m LEFT JOIN "Mask" o ON o.id = m."normalisedFromId" WHERE m.id = ${confirm.startMaskId!}::uuid`;
      await acceptGroundTruth(tx, { projectId: task.projectId, imageId: task.imageId, maskId: confirm.startMaskId!, roundId: task.roundId, stage: round?.stage ?? null, decision: "CONFIRMED", sourceKind: start.kind, decidedById: task.assigneeId });
    } else {
      await reopenRedraw(tx, task.projectId, task.imageId, task.roundId);
    }
  }
  if (task.roundId) await maybeCloseRound(tx, task.roundId);
}

/** A second MD (never the mask's author) approves or rejects the mask before it is accepted. */
async function sendToConfirmation(tx: Tx, t: { projectId: string; imageId: string; roundId: string | null }, maskId: string) {
  await tx.image.update({ where: { id: t.imageId }, data: { state: "AWAITING_CONFIRMATION" } });
  // One CONFIRM task per image and round: a redraw after a rejected confirmation reopens it.
  const prior = await tx.task.findFirst({ where: { imageId: t.imageId, roundId: t.roundId, kind: "CONFIRM" } });
  if (prior) {
    await tx.task.update({ where: { id: prior.id }, data: { status: "OPEN", assigneeId: null, claimedAt: null, doneAt: null, maskId: null, startMaskId: maskId } });
  } else {
    await tx.task.create({ data: { projectId: t.projectId, imageId: t.imageId, roundId: t.roundId, kind: "CONFIRM", startMaskId: maskId } });
  }
}

/** Sends an image to be drawn by hand (all candidates rejected, or a redraw not confirmed). */
export async function reopenRedraw(tx: Tx, projectId: string, imageId: string, roundId: string | null) {
  await tx.image.update({ where: { id: imageId }, data: { state: "AWAITING_REDRAW" } });
  const open = await tx.task.findFirst({ where: { imageId, roundId, kind: "REDRAW", status: { in: ["OPEN", "CLAIMED"] } } });
  if (open) return open;
  const previous = await tx.task.count({ where: { imageId, roundId, kind: "REDRAW" } });
  // The unique (image, round, kind) key allows one redraw task per round; later attempts reuse it.
  if (previous) {
    const t = await tx.task.findFirstOrThrow({ where: { imageId, roundId, kind: "REDRAW" } });
    return tx.task.update({ where: { id: t.id }, data: { status: "OPEN", assigneeId: null, claimedAt: null, doneAt: null, maskId: null } });
  }
  return tx.task.create({ data: { projectId, imageId, roundId, kind: "REDRAW" } });
}

/**
 * Registers one machine candidate (idempotent: one mask per run and image, one candidate
 * per round, image and mask). Refuses an image the run trained on: the out-of-fold rule.
 */
export async function registerPrediction(
  run: { id: string; projectId: string; roundId: string | null },
  image: { id: string; width: number; height: number },
  mask: Uint8Array,
  probKey: string | null,
) {
  return (await registerPredictions(run, [{ image, mask, probKey }]))[0];
}

/**
 * registerPrediction for a whole batch of a run's images in three statements: one out-of-fold
 * check, one insert of the masks not there yet, one insert of their candidates. Masks are stored
 * first (a crash leaves at most orphan objects); a retry racing this one inserts nothing twice
 * (skipDuplicates on (modelRunId, imageId)) and its candidates name the winning masks.
 */
export async function registerPredictions(
  run: { id: string; projectId: string; roundId: string | null },
  items: { image: { id: string; width: number; height: number }; mask: Uint8Array; probKey: string | null }[],
): Promise<string[]> {
  if (!items.length) return [];
  const imageIds = items.map((it) => it.image.id);
  const trained = await db().modelRunImage.findFirst({ where: { runId: run.id, imageId: { in: imageIds }, trained: true }, select: { imageId: true } });
  if (trained) throw new AppError("CONFLICT", `Out-of-fold violation: the run trained on image ${trained.imageId}`);
  const existing = new Set((await db().mask.findMany({ where: { modelRunId: run.id, imageId: { in: imageIds } }, select: { imageId: true } })).map((m) => m.imageId));
  const rows = await Promise.all(
    items
      .filter((it) => !existing.has(it.image.id))
      .map((it) => storeMask({ projectId: run.projectId, imageId: it.image.id, kind: "MACHINE", mask: it.mask, width: it.image.width, height: it.image.height, modelRunId: run.id, roundId: run.roundId, probKey: it.probKey })),
  );
  return db().$transaction(async (tx) => {
    if (rows.length) await tx.mask.createMany({ data: rows, skipDuplicates: true });
    const masks = await tx.mask.findMany({ where: { modelRunId: run.id, imageId: { in: imageIds } }, select: { id: true, imageId: true } });
    const byImage = new Map(masks.map((m) => [m.imageId, m.id]));
    if (run.roundId) {
      const roundId = run.roundId;
      await tx.candidate.createMany({ data: imageIds.map((imageId) => ({ roundId, imageId, maskId: byImage.get(imageId)! })), skipDuplicates: true });
    }
    return imageIds.map((id) => byImage.get(id)!);
  });
}
