import { db } from "../../lib/db/client";
import { createMask } from "../../lib/masks/mutations";
import {
  afterTaskSubmitted,
  completeTrainingRun,
  maybeOpenVoting,
  registerPrediction,
} from "../../lib/protocol/mutations";
import { predictionImageIds } from "../../lib/protocol/queries";

/** A disc mask: a stand-in for a drawing or a prediction, varied by `shift`. */
export function discMask(w: number, h: number, shift = 0): Uint8Array {
  const m = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) if (Math.hypot(x - w / 2 - shift, y - h / 2) < w / 4) m[y * w + x] = 1;
  return m;
}

/**
 * Completes every open MANUAL task of a project as `userId` would, through afterTaskSubmitted: in image id
 * order, each with `mask(imageId, k)` for the k-th task (a disc by default), taking `elapsedMs` (60 s).
 */
export async function drawAllManual(
  projectId: string,
  userId: string,
  opts: { mask?: (imageId: string, k: number) => Uint8Array; elapsedMs?: number } = {},
) {
  const elapsedMs = opts.elapsedMs ?? 60_000;
  const tasks = await db().task.findMany({
    where: { projectId, kind: "MANUAL", status: { not: "DONE" } },
    orderBy: { imageId: "asc" },
  });
  for (const [k, t] of tasks.entries()) {
    const img = await db().image.findUniqueOrThrow({ where: { id: t.imageId } });
    await db().$transaction(async (tx) => {
      const m = await createMask(tx, {
        projectId,
        imageId: t.imageId,
        kind: "MANUAL",
        mask: opts.mask?.(t.imageId, k) ?? discMask(img.width, img.height),
        width: img.width,
        height: img.height,
        authorId: userId,
        roundId: t.roundId,
        taskId: t.id,
        elapsedMs,
      });
      await tx.task.update({
        where: { id: t.id },
        data: { status: "DONE", assigneeId: userId, maskId: m.id, doneAt: new Date(), elapsedMs },
      });
      await afterTaskSubmitted(tx, { ...t, assigneeId: userId }, { maskId: m.id });
    });
  }
}

/**
 * Stands in for the trainer and the predict workers: marks each queued run trained, writes
 * a machine prediction for every image the run may predict, and completes the jobs.
 */
export async function fakeTrainAndPredict(
  roundId: string,
  maskFor: (runIndex: number, imageId: string) => Uint8Array | null = () => null,
  metricsFor: (runIndex: number) => unknown = () => ({}),
) {
  const runs = await db().modelRun.findMany({ where: { roundId }, orderBy: { createdAt: "asc" } });
  for (const [i, run] of runs.entries()) {
    await db().job.updateMany({
      where: { name: "train", singletonKey: `train:${run.id}` },
      data: { status: "SUCCEEDED" },
    });
    await completeTrainingRun(run.id, {
      artifactKey: `fake/${run.id}.onnx`,
      weightsSha256: "0".repeat(64),
      metrics: metricsFor(i),
    });
    for (const imageId of await predictionImageIds(run.id)) {
      const img = await db().image.findUniqueOrThrow({ where: { id: imageId } });
      await registerPrediction(run, img, maskFor(i, imageId) ?? discMask(img.width, img.height, 2 + i), null);
    }
    await db()
      .$executeRaw`UPDATE "Job" SET status = 'SUCCEEDED' WHERE name = 'predict' AND payload->>'runId' = ${run.id}`;
  }
  return maybeOpenVoting(roundId);
}

/** Networks with the tiny encoder, the tests' stand-in for real ones: tinyNetworks("unet", "dla"). */
export const tinyNetworks = (...archs: string[]) => archs.map((arch) => ({ arch, encoder: "tiny" }));
