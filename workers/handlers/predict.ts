import type { JobHandler } from "../../lib/jobs/types";
import { PermanentJobError } from "../../lib/jobs/types";
import {
  getRun,
  existingPredictions,
  imagesForPrediction,
  inferencePrecision,
  predictionImageIds,
} from "../../lib/protocol/queries";
import { maybeOpenVoting, registerStoredPredictions } from "../../lib/protocol/mutations";
import { PREDICT_CHUNK, type TrainConfig } from "../../lib/protocol/types";
import { storeMask } from "../../lib/masks/mutations";
import os from "node:os";
import { cachedThreadedModels } from "../../lib/ml/model-cache";
import type { Prediction } from "../../lib/ml/predictor";
import { networkInput } from "../../lib/ml/prepare-input";
import { encodeProbabilityPng } from "../../lib/ml/probability-png";
import { toNativeMask } from "../../lib/ml/to-native-mask";
import { store } from "../../lib/storage/store";
import { key } from "../../lib/storage/keys";
import { ensureInt8Model } from "../int8-model";

/** Images per session.run (the model takes batches); read per job, so a test can set it. */
const batchSize = () => Number(process.env.PREDICT_BATCH ?? 8);
/**
 * How the job runs its model: PREDICT_SESSIONS sessions side by side (default: one per core, at
 * most 2), sharing ORT_THREADS intra-op threads (default: one per core) between them.
 */
function inferenceLayout(): { sessions: number; threads: number } {
  const cores = os.availableParallelism();
  const total = Number(process.env.ORT_THREADS) > 0 ? Number(process.env.ORT_THREADS) : cores;
  const sessions = Math.max(1, Math.min(total, Number(process.env.PREDICT_SESSIONS) || Math.min(2, cores)));
  return { sessions, threads: Math.max(1, Math.floor(total / sessions)) };
}

/** Batches decoded ahead of inference, and batches handed to each inference thread (one running, one queued). */
const PREPARED_AHEAD = 3;
const AT_MODEL = 2;
/** Batches being encoded, stored and registered behind inference. */
const FINISHING = 2;

type Image = Awaited<ReturnType<typeof imagesForPrediction>>[number];
type Ready = { img: Image; pixels: Uint8Array };

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
 * A pipeline with bounded queues: up to PREPARED_AHEAD batches are fetched, decoded and resized
 * ahead of inference; the model runs as one or more sessions side by side (inferenceLayout), each
 * on its own thread with the next batch queued behind the one it runs, so main-thread work never
 * leaves one idle; and up to FINISHING batches behind them are encoded (probability PNG,
 * native-size mask PNG, COCO RLE), stored, and registered in one SQL statement per batch. An
 * image that cannot be fetched, decoded or stored is set aside with its
 * reason and the others go on; the job then fails naming them, and its retry predicts only
 * what is missing.
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
    const { sessions, threads } = inferenceLayout();
    const models = int8
      ? await cachedThreadedModels(int8.sha256, size, sessions, threads, () => store().get(int8.artifactKey))
      : await cachedThreadedModels(run.weightsSha256 ?? run.id, size, sessions, threads, () =>
          store().get(artifactKey),
        );

    /** The batch's network inputs, in order, without the images that failed. */
    const prepare = async (batch: Image[]): Promise<Ready[]> => {
      const ready = await Promise.all(
        batch.map(async (img) => {
          try {
            return { img, pixels: (await networkInput(await store().get(img.storageKey), size)).pixels };
          } catch (e) {
            failures.add(img, e);
            return null;
          }
        }),
      );
      return ready.filter((r) => r !== null);
    };

    /** Encodes and stores one image's outputs; null (and the reason kept) when a store fails. */
    const finishImage = async (img: Image, prob: Float32Array, presence: number | null) => {
      const probKey = key("projects", img.projectId, "runs", run.id, "prob", `${img.id}.png`);
      try {
        const probPng = later(encodeProbabilityPng(prob, size, size));
        const row = later(
          storeMask({
            projectId: run.projectId,
            imageId: img.id,
            kind: "MACHINE",
            mask: toNativeMask(prob, size, img.width, img.height),
            width: img.width,
            height: img.height,
            modelRunId: run.id,
            roundId: run.roundId,
            probKey,
            presence,
          }),
        );
        await store().put(probKey, await probPng, { contentType: "image/png" });
        return await row;
      } catch (e) {
        failures.add(img, e);
        return null;
      }
    };

    let finished = done.size;
    const finish = async (ready: Ready[], { maps, presence }: Prediction) => {
      const rows = await Promise.all(ready.map((r, b) => finishImage(r.img, maps[b], presence ? presence[b] : null)));
      const ok = rows.filter((x) => x !== null);
      await registerStoredPredictions(run, ok); // one statement: out-of-fold check, masks, candidates
      await progress({ done: (finished += ok.length), total: ids.length });
    };

    const batches: Image[][] = [];
    const batch = batchSize();
    for (let i = 0; i < todo.length; i += batch) batches.push(todo.slice(i, i + batch));
    const prepared: Promise<Ready[]>[] = [];
    let nextBatch = 0;
    const prepareAhead = () => {
      while (prepared.length < PREPARED_AHEAD && nextBatch < batches.length)
        prepared.push(later(prepare(batches[nextBatch++])));
    };
    const atModel: Promise<{ ready: Ready[]; prediction: Prediction }>[] = [];
    const finishing = new Set<Promise<void>>();
    let sent = 0;
    prepareAhead();
    for (;;) {
      if (signal.aborted) throw new Error("aborted");
      while (atModel.length < AT_MODEL * models.length && prepared.length) {
        const ready = await prepared.shift()!;
        prepareAhead();
        if (!ready.length) continue;
        const model = models[sent++ % models.length];
        atModel.push(
          later(model.predictWithPresence(ready.map((r) => r.pixels)).then((prediction) => ({ ready, prediction }))),
        );
      }
      if (!atModel.length) break;
      const { ready, prediction } = await atModel.shift()!;
      while (finishing.size >= FINISHING) await Promise.race(finishing);
      const f = later(finish(ready, prediction));
      finishing.add(f);
      void f.then(
        () => finishing.delete(f),
        () => undefined, // a failed batch stays in the set: the next race or the final wait throws it
      );
    }
    await Promise.all(finishing);
  }
  if (failures.count) throw failures.error(todo.length);
  if (run.roundId) await maybeOpenVoting(run.roundId, jobId);
  return { predicted: todo.length, skipped: done.size };
};
