// The workers' side of a round: a run starts, reports progress, fails or completes, and
// registers its predictions as candidates.
import { db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import { AppError } from "../../errors/app-error";
import { enqueue } from "../../jobs/queue";
import { createMask } from "../../masks/mutations";
import { predictionImageIds } from "../queries";
import { PREDICT_CHUNK } from "../types";

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
 * Registers one machine candidate (idempotent: one mask per run and image, one candidate
 * per round, image and mask). Refuses an image the run trained on: the out-of-fold rule.
 */
export async function registerPrediction(
  run: { id: string; projectId: string; roundId: string | null },
  image: { id: string; width: number; height: number },
  mask: Uint8Array,
  probKey: string | null,
) {
  const trained = await db().modelRunImage.findUnique({ where: { runId_imageId: { runId: run.id, imageId: image.id } } });
  if (trained?.trained) throw new AppError("CONFLICT", "Out-of-fold violation: the run trained on this image");
  return db().$transaction(async (tx) => {
    let m = await tx.mask.findUnique({ where: { modelRunId_imageId: { modelRunId: run.id, imageId: image.id } } });
    if (!m) {
      m = await createMask(tx, { projectId: run.projectId, imageId: image.id, kind: "MACHINE", mask, width: image.width, height: image.height, modelRunId: run.id, roundId: run.roundId, probKey });
    }
    if (run.roundId) {
      await tx.candidate.createMany({ data: [{ roundId: run.roundId, imageId: image.id, maskId: m.id }], skipDuplicates: true });
    }
    return m.id;
  });
}
