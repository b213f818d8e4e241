// The workers' side of a round: a run starts, reports progress, fails or completes, and
// registers its predictions as candidates.
import "server-only";
import { db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import { AppError } from "../../errors/app-error";
import { enqueue } from "../../jobs/queue";
import { storeMask } from "../../masks/mutations";
import { predictionImageIds } from "../queries";
import { PREDICT_CHUNK } from "../types";
import { runTaskFromMetrics } from "../../ml/run-task";

/**
 * Records a finished training run and fans its prediction out into chunked jobs. A classifier
 * run (metrics task "classify") predicts nothing: it is never a candidate mask.
 */
export async function completeTrainingRun(
  runId: string,
  out: { artifactKey: string; weightsSha256: string; metrics: unknown; paramCount?: number },
) {
  const run = await db().modelRun.update({
    where: { id: runId },
    data: {
      status: "SUCCEEDED",
      artifactKey: out.artifactKey,
      weightsSha256: out.weightsSha256,
      metrics: out.metrics as Prisma.InputJsonValue,
      paramCount: out.paramCount,
      finishedAt: new Date(),
    },
  });
  if (runTaskFromMetrics(out.metrics) === "classify") return { chunks: 0 };
  const images = await predictionImageIds(runId);
  const chunks = Math.max(1, Math.ceil(images.length / PREDICT_CHUNK));
  for (let c = 0; c < chunks; c++) {
    await enqueue(
      "predict",
      { runId, chunk: c, chunks },
      { singletonKey: `predict:${runId}:${c}/${chunks}`, projectId: run.projectId },
    );
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
  await db().modelRun.update({
    where: { id: runId },
    data: { status: "FAILED", progress: { error: message.slice(0, 2000) } },
  });
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
  items: {
    image: { id: string; width: number; height: number };
    mask: Uint8Array;
    probKey: string | null;
    presence?: number | null;
  }[],
): Promise<string[]> {
  if (!items.length) return [];
  const imageIds = items.map((it) => it.image.id);
  const trained = await db().modelRunImage.findFirst({
    where: { runId: run.id, imageId: { in: imageIds }, trained: true },
    select: { imageId: true },
  });
  if (trained) throw new AppError("CONFLICT", `Out-of-fold violation: the run trained on image ${trained.imageId}`);
  const existing = new Set(
    (
      await db().mask.findMany({ where: { modelRunId: run.id, imageId: { in: imageIds } }, select: { imageId: true } })
    ).map((m) => m.imageId),
  );
  const rows = await Promise.all(
    items
      .filter((it) => !existing.has(it.image.id))
      .map((it) =>
        storeMask({
          projectId: run.projectId,
          imageId: it.image.id,
          kind: "MACHINE",
          mask: it.mask,
          width: it.image.width,
          height: it.image.height,
          modelRunId: run.id,
          roundId: run.roundId,
          probKey: it.probKey,
          presence: it.presence ?? null,
        }),
      ),
  );
  return db().$transaction(async (tx) => {
    if (rows.length) await tx.mask.createMany({ data: rows, skipDuplicates: true });
    const masks = await tx.mask.findMany({
      where: { modelRunId: run.id, imageId: { in: imageIds } },
      select: { id: true, imageId: true },
    });
    const byImage = new Map(masks.map((m) => [m.imageId, m.id]));
    if (run.roundId) {
      const roundId = run.roundId;
      await tx.candidate.createMany({
        data: imageIds.map((imageId) => ({ roundId, imageId, maskId: byImage.get(imageId)! })),
        skipDuplicates: true,
      });
    }
    return imageIds.map((id) => byImage.get(id)!);
  });
}

/** Keeps a run's int8 quantisation (made once, on first use) and its measured agreement. */
export async function recordInt8Model(
  runId: string,
  int8: { artifactKey: string; sha256: string; [k: string]: unknown },
) {
  await db().modelRun.update({ where: { id: runId }, data: { int8: int8 as Prisma.InputJsonValue } });
}
