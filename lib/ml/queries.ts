import "server-only";
import { detectionRuleFromMetrics, inputSizeFromMetrics } from "./model-card";
import { runTaskFromMetrics } from "./run-task";
import { db } from "../db/client";
import { currentTruthMaskKeys } from "../protocol/queries";
import { AppError } from "../errors/app-error";
import { requireProjectRole } from "../auth/authorize";
import type { Actor, Role } from "../auth/types";

/** Aggregate evaluation: leads and exporters. */
export const EVALUATION_ROLES: Role[] = ["LEAD", "EXPORTER"];
/**
 * Per-image model output (stored infection maps, live analysis): not for MDs, who could
 * otherwise recognise the machine candidate on a blinded ballot.
 */
export const ANALYSE_ROLES: Role[] = ["LEAD", "EXPORTER"];
export const PREDICTION_VIEW_ROLES: Role[] = ["LEAD"];

const runSummary = {
  id: true,
  arch: true,
  encoder: true,
  fold: true,
  status: true,
  roundId: true,
  paramCount: true,
  weightsSha256: true,
  int8: true,
  startedAt: true,
  finishedAt: true,
  createdAt: true,
  round: { select: { number: true, stage: true, status: true } },
} as const;

export async function projectRuns(actor: Actor, projectId: string) {
  await requireProjectRole(actor, projectId, EVALUATION_ROLES);
  return db().modelRun.findMany({
    where: { projectId },
    select: { ...runSummary, config: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}

async function findRun(runId: string) {
  const run = await db().modelRun.findUnique({
    where: { id: runId },
    select: { ...runSummary, projectId: true, metrics: true, config: true, artifactKey: true },
  });
  if (!run) throw new AppError("NOT_FOUND", "Run not found");
  return run;
}

/** One run with its metrics.json, for its evaluation report. */
export async function runForReport(actor: Actor, runId: string) {
  const run = await findRun(runId);
  await requireProjectRole(actor, run.projectId, EVALUATION_ROLES);
  return run;
}

/** A stage's trained runs (optionally one round of it), with metrics. */
export async function runsForStageReport(
  actor: Actor,
  projectId: string,
  scope: { stage: "STAGE_I" | "STAGE_II"; roundId?: string },
) {
  await requireProjectRole(actor, projectId, EVALUATION_ROLES);
  return db().modelRun.findMany({
    where: {
      projectId,
      status: "SUCCEEDED",
      round: { stage: scope.stage, ...(scope.roundId ? { id: scope.roundId } : {}) },
    },
    select: { ...runSummary, metrics: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}

/** Trained models that can analyse an upload. */
export async function analysableRuns(actor: Actor, projectId: string) {
  await requireProjectRole(actor, projectId, ANALYSE_ROLES);
  const runs = await db().modelRun.findMany({
    where: { projectId, status: "SUCCEEDED", artifactKey: { not: null } },
    select: { ...runSummary, artifactKey: true, config: true, metrics: true },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
  });
  // The trainer's record of the input size wins over the requested config (a preset may set it).
  return runs.map(({ config, artifactKey, metrics, ...r }) => ({
    ...r,
    artifactKey: artifactKey!,
    size: inputSizeFromMetrics(metrics) ?? Number((config as { size?: number }).size ?? 224),
    rule: detectionRuleFromMetrics(metrics),
    task: runTaskFromMetrics(metrics),
  }));
}

/** A run's stored predictions, newest round first; leads only. */
export async function runPredictions(actor: Actor, runId: string, take = 60) {
  const run = await findRun(runId);
  await requireProjectRole(actor, run.projectId, PREDICTION_VIEW_ROLES);
  const masks = await db().mask.findMany({
    where: { modelRunId: runId, kind: "MACHINE" },
    select: { id: true, imageId: true, area: true, width: true, height: true, probKey: true },
    orderBy: { imageId: "asc" },
    take,
  });
  const total = await db().mask.count({ where: { modelRunId: runId, kind: "MACHINE" } });
  return { masks, total };
}

/** A machine mask with its probability map and its CXR, for the infection map; leads only. */
export async function maskForInfectionMap(actor: Actor, maskId: string) {
  const mask = await db().mask.findUnique({
    where: { id: maskId },
    select: {
      id: true,
      projectId: true,
      kind: true,
      probKey: true,
      image: { select: { id: true, storageKey: true, width: true, height: true } },
    },
  });
  if (!mask) throw new AppError("NOT_FOUND", "Mask not found");
  await requireProjectRole(actor, mask.projectId, PREDICTION_VIEW_ROLES);
  if (!mask.probKey) throw new AppError("NOT_FOUND", "This mask has no probability map");
  return { ...mask, probKey: mask.probKey };
}

const classifierRunSelect = {
  ...runSummary,
  projectId: true,
  metrics: true,
  config: true,
  artifactKey: true,
} as const;

/** The fold runs of one classifier training (ModelRun.config.group), in fold order. */
export async function classifierGroupRuns(actor: Actor, projectId: string, group: string) {
  await requireProjectRole(actor, projectId, EVALUATION_ROLES);
  return db().modelRun.findMany({
    where: { projectId, roundId: null, config: { path: ["group"], equals: group } },
    select: classifierRunSelect,
    orderBy: [{ fold: "asc" }, { id: "asc" }],
  });
}

/** Every finished classifier run of a project (config task "classify"), oldest training first. */
export async function projectClassifierRuns(actor: Actor, projectId: string) {
  await requireProjectRole(actor, projectId, EVALUATION_ROLES);
  return db().modelRun.findMany({
    where: { projectId, roundId: null, status: "SUCCEEDED", config: { path: ["task"], equals: "classify" } },
    select: classifierRunSelect,
    orderBy: [{ createdAt: "asc" }, { fold: "asc" }],
  });
}

/**
 * Segmentation predictions of every round (one per run and image; a run never predicts an image
 * it trained on): the detection rules' input. Stage I holds only COVID-19 images; controls are
 * predicted in the Stage-II rounds.
 */
export async function segmentationHeldOutPredictions(actor: Actor, projectId: string) {
  await requireProjectRole(actor, projectId, EVALUATION_ROLES);
  const runs = await db().modelRun.findMany({
    where: { projectId, status: "SUCCEEDED", roundId: { not: null } },
    select: {
      id: true,
      arch: true,
      encoder: true,
      fold: true,
      metrics: true,
      round: { select: { number: true, stage: true } },
    },
    orderBy: [{ round: { number: "asc" } }, { fold: "asc" }],
  });
  const masks = await db().mask.findMany({
    where: { modelRunId: { in: runs.map((r) => r.id) }, kind: "MACHINE" },
    select: { modelRunId: true, imageId: true, area: true, probKey: true, presence: true },
  });
  return { runs, masks };
}

/** Images with their labels and current accepted mask key (null: none, or an empty mask). */
export async function labelledImagesWithTruth(actor: Actor, projectId: string, imageIds: readonly string[]) {
  await requireProjectRole(actor, projectId, EVALUATION_ROLES);
  const images = await db().image.findMany({
    where: { projectId, id: { in: [...imageIds] } },
    select: { id: true, storageKey: true, label: true },
  });
  const truth = await currentTruthMaskKeys(images.map((i) => i.id));
  return images.map((i) => ({ ...i, maskKey: truth.get(i.id) ?? null }));
}
