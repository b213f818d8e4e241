import type { JobHandler } from "../../lib/jobs/types";
import { PermanentJobError } from "../../lib/jobs/types";
import {
  getRun,
  existingPredictions,
  imagesForPrediction,
  inferencePrecision,
  predictionImageIds,
} from "../../lib/protocol/queries";
import { maybeOpenVoting, registerPredictions } from "../../lib/protocol/mutations";
import { PREDICT_CHUNK, type TrainConfig } from "../../lib/protocol/types";
import { cachedThreadedModel } from "../../lib/ml/model-cache";
import { networkInput } from "../../lib/ml/prepare-input";
import { encodeProbabilityPng } from "../../lib/ml/probability-png";
import { toNativeMask } from "../../lib/ml/to-native-mask";
import { store } from "../../lib/storage/store";
import { key } from "../../lib/storage/keys";
import { ensureInt8Model } from "../int8-model";

const BATCH = Number(process.env.PREDICT_BATCH ?? 8);

type Image = Awaited<ReturnType<typeof imagesForPrediction>>[number];

/** Marks a promise handled now (it is awaited later), so an early failure is not an unhandled rejection. */
function later<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/** Why each image of a chunk could not be predicted; the rest of the chunk is still stored. */
class ImageFailures {
  private readonly reasons: string[] = [];
  add(image: Image, e: unknown) {
    this.reasons.push(`image ${image.id}: ${e instanceof Error ? e.message : String(e)}`);
  }
  get count() {
    return this.reasons.length;
  }
  error(total: number): Error {
    const shown = this.reasons.slice(0, 5).join("; ");
    const more = this.reasons.length > 5 ? `; and ${this.reasons.length - 5} more` : "";
    return new Error(
      `${this.reasons.length} of ${total} images could not be predicted (the others are stored; a retry does only these): ${shown}${more}`,
    );
  }
}

/**
 * Predicts one chunk of a run's images into candidate masks; retries create no duplicates.
 * Three stages overlap: fetching and resizing the next batch, inference on this one (on the
 * model's own thread), and storing the previous one (probability PNG, native-size mask,
 * the batch's mask and candidate rows in one transaction). An image that cannot be fetched,
 * decoded or stored is set aside with its reason and the others go on; the job then fails
 * naming them, and its retry predicts only what is missing.
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
  const failures = new ImageFailures();
  if (todo.length) {
    const artifactKey = run.artifactKey;
    // A project that opted into int8 predicts with the run's quantised model (made on first use).
    const int8 =
      (await inferencePrecision(run.projectId)) === "INT8"
        ? await ensureInt8Model({ id: run.id, projectId: run.projectId, artifactKey, size, int8: run.int8 }, signal)
        : null;
    const model = int8
      ? await cachedThreadedModel(int8.sha256, size, () => store().get(int8.artifactKey))
      : await cachedThreadedModel(run.weightsSha256 ?? run.id, size, () => store().get(artifactKey));
    const batches: Image[][] = [];
    for (let i = 0; i < todo.length; i += BATCH) batches.push(todo.slice(i, i + BATCH));
    /** The batch's network inputs, in order, without the images that failed. */
    const prepare = (batch: Image[]) =>
      later(
        Promise.all(
          batch.map(async (img) => {
            try {
              return { img, pixels: (await networkInput(await store().get(img.storageKey), size)).pixels };
            } catch (e) {
              failures.add(img, e);
              return null;
            }
          }),
        ).then((r) => r.filter((x) => x !== null)),
      );
    const write = async (batch: Image[], probs: Float32Array[], presence: number[] | null) => {
      const items = await Promise.all(
        batch.map(async (img, b) => {
          const probKey = key("projects", img.projectId, "runs", run.id, "prob", `${img.id}.png`);
          try {
            await store().put(probKey, await encodeProbabilityPng(probs[b], size, size), { contentType: "image/png" });
          } catch (e) {
            failures.add(img, e);
            return null;
          }
          return {
            image: img,
            mask: toNativeMask(probs[b], size, img.width, img.height),
            probKey,
            presence: presence ? presence[b] : null,
          };
        }),
      );
      const ok = items.filter((x) => x !== null);
      await registerPredictions(run, ok); // one out-of-fold check and two inserts per batch
      return ok.length;
    };
    let next = prepare(batches[0]);
    let writing: Promise<void> = Promise.resolve();
    let finished = done.size;
    for (let b = 0; b < batches.length; b++) {
      if (signal.aborted) throw new Error("aborted");
      const ready = await next;
      if (b + 1 < batches.length) next = prepare(batches[b + 1]);
      if (!ready.length) continue;
      const { maps, presence } = await model.predictWithPresence(ready.map((r) => r.pixels));
      await writing; // at most one batch of writes in flight
      const batch = ready.map((r) => r.img);
      writing = later(write(batch, maps, presence).then((n) => progress({ done: (finished += n), total: ids.length })));
    }
    await writing;
  }
  if (failures.count) throw failures.error(todo.length);
  if (run.roundId) await maybeOpenVoting(run.roundId, jobId);
  return { predicted: todo.length, skipped: done.size };
};
