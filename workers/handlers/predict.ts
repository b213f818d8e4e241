import sharp from "sharp";
import type { JobHandler } from "../../lib/jobs/types";
import { PermanentJobError } from "../../lib/jobs/types";
import { getRun, existingPredictions, imagesForPrediction } from "../../lib/protocol/queries";
import { maybeOpenVoting, predictionImageIds, registerPrediction } from "../../lib/protocol/mutations";
import { PREDICT_CHUNK, type TrainConfig } from "../../lib/protocol/types";
import { loadModel, predictBatch, type Model } from "../../lib/ml/onnx-model";
import { networkInput } from "../../lib/ml/prepare-input";
import { probToBytes, toNativeMask } from "../../lib/ml/to-native-mask";
import { store } from "../../lib/storage/store";
import { key } from "../../lib/storage/keys";

const BATCH = 8;
const models = new Map<string, Promise<Model>>();

function modelFor(runId: string, artifactKey: string, size: number) {
  if (!models.has(runId)) {
    if (models.size > 8) models.delete(models.keys().next().value!);
    models.set(runId, store().get(artifactKey).then((b) => loadModel(b, size)));
  }
  return models.get(runId)!;
}

/** Predicts one chunk of a run's images into candidate masks; retries create no duplicates. */
export const predictHandler: JobHandler<{ runId: string; chunk: number; chunks: number }> = async ({ payload, jobId, signal, progress }) => {
  const run = await getRun(payload.runId);
  if (!run?.artifactKey) throw new PermanentJobError("The run has no trained model");
  const size = (run.config as TrainConfig).size;
  const all = await predictionImageIds(run.id);
  const ids = all.slice(payload.chunk * PREDICT_CHUNK, (payload.chunk + 1) * PREDICT_CHUNK);
  const done = await existingPredictions(run.id, ids);
  const todo = await imagesForPrediction(ids.filter((id) => !done.has(id)));
  const model = await modelFor(run.id, run.artifactKey, size);
  for (let i = 0; i < todo.length; i += BATCH) {
    if (signal.aborted) throw new Error("aborted");
    const batch = todo.slice(i, i + BATCH);
    const inputs = await Promise.all(batch.map(async (img) => networkInput(await store().get(img.storageKey), size)));
    const probs = await predictBatch(model, inputs.map((x) => x.pixels));
    await Promise.all(
      batch.map(async (img, b) => {
        const probKey = key("projects", img.projectId, "runs", run.id, "prob", `${img.id}.png`);
        const probPng = await sharp(Buffer.from(probToBytes(probs[b])), { raw: { width: size, height: size, channels: 1 } }).png({ compressionLevel: 6 }).toBuffer();
        await store().put(probKey, probPng, { contentType: "image/png" });
        await registerPrediction(run, img, toNativeMask(probs[b], size, img.width, img.height), probKey);
      }),
    );
    await progress({ done: done.size + i + batch.length, total: ids.length });
  }
  if (run.roundId) await maybeOpenVoting(run.roundId, jobId);
  return { predicted: todo.length, skipped: done.size };
};
