import type { JobHandler } from "../../lib/jobs/types";
import { PermanentJobError } from "../../lib/jobs/types";
import { getRun, existingPredictions, imagesForPrediction, predictionImageIds } from "../../lib/protocol/queries";
import { maybeOpenVoting, registerPredictions } from "../../lib/protocol/mutations";
import { PREDICT_CHUNK, type TrainConfig } from "../../lib/protocol/types";
import { cachedThreadedModel } from "../../lib/ml/model-cache";
import { networkInput } from "../../lib/ml/prepare-input";
import { encodeProbabilityPng } from "../../lib/ml/probability-png";
import { toNativeMask } from "../../lib/ml/to-native-mask";
import { store } from "../../lib/storage/store";
import { key } from "../../lib/storage/keys";

const BATCH = Number(process.env.PREDICT_BATCH ?? 8);

type Image = Awaited<ReturnType<typeof imagesForPrediction>>[number];

/** Marks a promise handled now (it is awaited later), so an early failure is not an unhandled rejection. */
function later<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/**
 * Predicts one chunk of a run's images into candidate masks; retries create no duplicates.
 * Three stages overlap: fetching and resizing the next batch, inference on this one (on the
 * model's own thread), and storing the previous one (probability PNG, native-size mask,
 * the batch's mask and candidate rows in one transaction).
 */
export const predictHandler: JobHandler<{ runId: string; chunk: number; chunks: number }> = async ({
  payload,
  jobId,
  signal,
  progress,
}) => {
  const run = await getRun(payload.runId);
  if (!run?.artifactKey) throw new PermanentJobError("The run has no trained model");
  const size = (run.config as TrainConfig).size;
  const all = await predictionImageIds(run.id);
  const ids = all.slice(payload.chunk * PREDICT_CHUNK, (payload.chunk + 1) * PREDICT_CHUNK);
  const done = await existingPredictions(run.id, ids);
  const todo = await imagesForPrediction(ids.filter((id) => !done.has(id)));
  if (todo.length) {
    const artifactKey = run.artifactKey;
    const model = await cachedThreadedModel(run.weightsSha256 ?? run.id, size, () => store().get(artifactKey));
    const batches: Image[][] = [];
    for (let i = 0; i < todo.length; i += BATCH) batches.push(todo.slice(i, i + BATCH));
    const prepare = (batch: Image[]) =>
      later(
        Promise.all(batch.map(async (img) => (await networkInput(await store().get(img.storageKey), size)).pixels)),
      );
    const write = async (batch: Image[], probs: Float32Array[]) => {
      const items = await Promise.all(
        batch.map(async (img, b) => {
          const probKey = key("projects", img.projectId, "runs", run.id, "prob", `${img.id}.png`);
          await store().put(probKey, await encodeProbabilityPng(probs[b], size, size), { contentType: "image/png" });
          return { image: img, mask: toNativeMask(probs[b], size, img.width, img.height), probKey };
        }),
      );
      await registerPredictions(run, items); // one out-of-fold check and two inserts per batch
    };
    let next = prepare(batches[0]);
    let writing: Promise<void> = Promise.resolve();
    let finished = done.size;
    for (let b = 0; b < batches.length; b++) {
      if (signal.aborted) throw new Error("aborted");
      const inputs = await next;
      if (b + 1 < batches.length) next = prepare(batches[b + 1]);
      const probs = await model.predict(inputs);
      await writing; // at most one batch of writes in flight
      const batch = batches[b];
      writing = later(
        write(batch, probs).then(() => progress({ done: (finished += batch.length), total: ids.length })),
      );
    }
    await writing;
  }
  if (run.roundId) await maybeOpenVoting(run.roundId, jobId);
  return { predicted: todo.length, skipped: done.size };
};
