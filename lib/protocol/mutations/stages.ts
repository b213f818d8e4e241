// Stage changes the lead starts: the Stage-I subset, Stage I, its training, Stage-II rounds.
import "server-only";
import type { z } from "zod";
import { db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import { AppError } from "../../errors/app-error";
import { recordAudit } from "../../audit/mutations";
import { requireProjectRole } from "../../auth/authorize";
import type { Actor } from "../../auth/types";
import { enqueue } from "../../jobs/queue";
import { stratifiedSubset } from "../subset";
import { assignFolds } from "../folds";
import { seededRandom, shuffleWith } from "../random";
import { editSubsetSchema, selectSubsetSchema } from "../schema";
import type { Network } from "../types";
import { stage1TrainingBlockers } from "../queries";
import { acceptControlsByLabel } from "./ground-truth";
import { latestRound, lockProject } from "./project-lock";

/** Stage-I subset: COVID-positive images, stratified by source, reproducible from the seed. */
export async function selectStage1Subset(actor: Actor, projectId: string, input: z.input<typeof selectSubsetSchema>) {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const opts = selectSubsetSchema.parse(input);
  return db().$transaction(async (tx) => {
    const project = await lockProject(tx, projectId);
    if (project.currentStage) throw new AppError("CONFLICT", "Stage I has started: the subset can no longer change");
    const candidates = await tx.image.findMany({
      where: { projectId, label: "COVID" },
      select: { id: true, sourceDataset: true },
    });
    if (!candidates.length)
      throw new AppError("CONFLICT", "The project has no COVID-19 positive images to choose from");
    const seed = opts.seed ?? project.s1Seed;
    const size = opts.size ?? Math.max(1, Math.round((opts.fraction ?? 0) * candidates.length));
    const ids = stratifiedSubset(
      candidates.map((c) => ({ id: c.id, source: c.sourceDataset })),
      size,
      seed,
    );
    await tx.image.updateMany({ where: { projectId, inS1: true }, data: { inS1: false } });
    await tx.image.updateMany({ where: { id: { in: ids } }, data: { inS1: true } });
    await tx.project.update({
      where: { id: projectId },
      data: { s1Seed: seed, s1Size: opts.size ?? null, s1Fraction: opts.fraction ?? null },
    });
    await recordAudit(
      {
        action: "stage1.subset_select",
        objectType: "Project",
        objectId: projectId,
        projectId,
        actorId: actor.userId,
        after: { seed, size: ids.length },
      },
      tx,
    );
    return { selected: ids.length, seed };
  });
}

export async function editStage1Subset(actor: Actor, projectId: string, input: z.input<typeof editSubsetSchema>) {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const { add, remove } = editSubsetSchema.parse(input);
  return db().$transaction(async (tx) => {
    const project = await lockProject(tx, projectId);
    if (project.currentStage) throw new AppError("CONFLICT", "Stage I has started: the subset can no longer change");
    const added = await tx.image.updateMany({
      where: { projectId, id: { in: add }, label: "COVID" },
      data: { inS1: true },
    });
    const removed = await tx.image.updateMany({ where: { projectId, id: { in: remove } }, data: { inS1: false } });
    await recordAudit(
      {
        action: "stage1.subset_edit",
        objectType: "Project",
        objectId: projectId,
        projectId,
        actorId: actor.userId,
        after: { add, remove },
      },
      tx,
    );
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
    const s1 = await tx.image.findMany({
      where: { projectId, inS1: true },
      select: { id: true, patientPseudonym: true, label: true },
    });
    if (!s1.length) throw new AppError("CONFLICT", "Choose the Stage-I subset first");
    const round = await tx.round.create({
      data: { projectId, number: 1, stage: "STAGE_I", status: "DRAWING", startedById: actor.userId },
    });
    const folds = assignFolds(
      s1.map((i) => ({ id: i.id, patient: i.patientPseudonym, label: i.label })),
      project.folds,
      project.s1Seed,
    );
    for (let f = 0; f < project.folds; f++) {
      const ids = s1.filter((i) => folds.get(i.id) === f).map((i) => i.id);
      if (ids.length) await tx.image.updateMany({ where: { id: { in: ids } }, data: { fold: f } });
    }
    await tx.image.updateMany({ where: { projectId, inS1: true }, data: { state: "AWAITING_MANUAL" } });
    await tx.task.createMany({
      data: s1.map((i) => ({ projectId, imageId: i.id, roundId: round.id, kind: "MANUAL" as const })),
      skipDuplicates: true,
    });
    if (!project.controlsToVote) await acceptControlsByLabel(tx, projectId);
    await enterStage(tx, actor, projectId, round.id, "STAGE_I", "stage1.start", {
      images: s1.length,
      folds: project.folds,
    });
    return { roundId: round.id, created: true };
  });
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
    if (round.status !== "DRAWING")
      return {
        roundId: round.id,
        runIds: (await tx.modelRun.findMany({ where: { roundId: round.id }, select: { id: true } })).map((r) => r.id),
        created: false,
      };
    const blockers = await stage1TrainingBlockers(tx, projectId, round.id);
    if (blockers.length) throw new AppError("CONFLICT", blockers[0].message, { blockers });
    const images = await tx.image.findMany({ where: { projectId, inS1: true }, select: { id: true, fold: true } });
    const runIds: string[] = [];
    for (const net of project.stage1Archs as Network[]) {
      for (let f = 0; f < project.folds; f++) {
        const trained = images.map((i) => ({ imageId: i.id, trained: i.fold !== f }));
        runIds.push(await createRun(tx, projectId, round.id, net, f, project.trainConfig, trained));
      }
    }
    await tx.round.update({ where: { id: round.id }, data: { status: "TRAINING" } });
    await recordAudit(
      {
        action: "stage1.train_start",
        objectType: "Round",
        objectId: round.id,
        projectId,
        actorId: actor.userId,
        after: { runs: runIds.length },
      },
      tx,
    );
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
    const positives = await tx.groundTruth.findMany({
      where: { projectId, isCurrent: true, maskId: { not: null } },
      select: { imageId: true },
    });
    if (!positives.length) throw new AppError("CONFLICT", "No accepted masks to train on yet");
    const controls = await tx.groundTruth.findMany({
      where: { projectId, isCurrent: true, maskId: null },
      select: { imageId: true },
      orderBy: { imageId: "asc" },
    });
    const negatives = shuffleWith(controls, seededRandom(`negatives:${project.s1Seed}:${last.number + 1}`)).slice(
      0,
      positives.length,
    );
    const train = [...positives, ...negatives].map((g) => g.imageId);
    const round = await tx.round.create({
      data: { projectId, number: last.number + 1, stage: "STAGE_II", status: "TRAINING", startedById: actor.userId },
    });
    await tx.image.updateMany({
      where: { projectId, state: { notIn: ["ACCEPTED"] } },
      data: { state: "AWAITING_CANDIDATES" },
    });
    const runIds: string[] = [];
    for (const net of project.stage2Networks as Network[]) {
      const trained = train.map((imageId) => ({ imageId, trained: true }));
      runIds.push(await createRun(tx, projectId, round.id, net, null, project.trainConfig, trained));
    }
    await enterStage(tx, actor, projectId, round.id, "STAGE_II", "stage2.round_start", {
      number: round.number,
      train: train.length,
      open,
    });
    return { roundId: round.id, runIds, created: true };
  });
  for (const runId of result.runIds) await enqueue("train", { runId }, { singletonKey: `train:${runId}`, projectId });
  return result;
}

/** The project enters `stage` with the round `roundId`: the stage change and its audit row, in one transaction. */
async function enterStage(
  tx: Prisma.TransactionClient,
  actor: Actor,
  projectId: string,
  roundId: string,
  stage: "STAGE_I" | "STAGE_II",
  action: string,
  after: Record<string, unknown>,
) {
  await tx.project.update({ where: { id: projectId }, data: { currentStage: stage } });
  await recordAudit({ action, objectType: "Round", objectId: roundId, projectId, actorId: actor.userId, after }, tx);
}

/** A model run of the round (fold null: trained on all it is given) with the images it trains on or holds out. */
async function createRun(
  tx: Prisma.TransactionClient,
  projectId: string,
  roundId: string,
  net: Network,
  fold: number | null,
  config: unknown,
  images: { imageId: string; trained: boolean }[],
): Promise<string> {
  const run = await tx.modelRun.create({
    data: {
      projectId,
      roundId,
      arch: net.arch,
      encoder: net.encoder,
      fold,
      config: config as Prisma.InputJsonValue,
    },
  });
  await tx.modelRunImage.createMany({ data: images.map((i) => ({ runId: run.id, ...i })) });
  return run.id;
}
