import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { int8Agreement, recordRanges } from "../lib/ml/int8-calibration";
import { loadModel } from "../lib/ml/onnx-model";
import { networkInput } from "../lib/ml/prepare-input";
import { recordInt8Model } from "../lib/protocol/mutations";
import { imagesForPrediction, predictionImageIds, runTrainingImages } from "../lib/protocol/queries";
import { key } from "../lib/storage/keys";
import { store } from "../lib/storage/store";
import { runTrainer } from "./trainer-process";

// A run's int8 model, made the first time a project that opted in predicts with it: the trainer
// exposes the convolutions' tensors, Node records their ranges over a few training images, the
// trainer quantises, and Node measures the int8 masks against the float ones on images the run
// predicts. Deterministic for a given run, so two chunks racing to make it store the same bytes.

const CALIBRATION_IMAGES = Number(process.env.INT8_CALIBRATION_IMAGES ?? 16);
const AGREEMENT_IMAGES = Number(process.env.INT8_AGREEMENT_IMAGES ?? 16);

export const int8InfoSchema = z.object({ artifactKey: z.string(), sha256: z.string() }).passthrough();
export type Int8Info = z.infer<typeof int8InfoSchema>;

type Run = { id: string; projectId: string; artifactKey: string; size: number; int8: unknown };

async function inputs(images: { storageKey: string }[], size: number) {
  return Promise.all(images.map(async (img) => (await networkInput(await store().get(img.storageKey), size)).pixels));
}

/** The int8 model of a float ONNX file, calibrated on `calibration` (network inputs, size² each). */
export async function quantizeOnnx(
  floatPath: string,
  calibration: Uint8Array[],
  size: number,
  signal?: AbortSignal,
): Promise<{ bytes: Uint8Array; convolutions: number | null; keptFloat: number | null }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "tandem-int8-"));
  try {
    const probePath = path.join(dir, "probe.onnx"),
      rangesPath = path.join(dir, "ranges.json"),
      int8Path = path.join(dir, "model.int8.onnx");
    const probe = await runTrainer(["quantize-probe", "--model", floatPath, "--out", probePath], { signal });
    const tensors = z.array(z.string()).parse(probe.find((e) => e.type === "probe")?.tensors ?? null);
    const ranges = await recordRanges(new Uint8Array(await readFile(probePath)), tensors, calibration, size);
    await writeFile(rangesPath, JSON.stringify(ranges));
    const done = await runTrainer(["quantize", "--model", floatPath, "--ranges", rangesPath, "--out", int8Path], {
      signal,
    });
    const summary = done.find((e) => e.type === "quantized") as
      | { convolutions?: number; kept_float?: string[] }
      | undefined;
    return {
      bytes: new Uint8Array(await readFile(int8Path)),
      convolutions: summary?.convolutions ?? null,
      keptFloat: summary?.kept_float?.length ?? null,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function ensureInt8Model(run: Run, signal?: AbortSignal): Promise<Int8Info> {
  const existing = int8InfoSchema.safeParse(run.int8);
  if (existing.success) return existing.data;
  const dir = await mkdtemp(path.join(os.tmpdir(), "tandem-int8-run-"));
  try {
    const floatPath = path.join(dir, "model.onnx");
    const floatBytes = await store().get(run.artifactKey);
    await writeFile(floatPath, floatBytes);
    const calibration = await runTrainingImages(run.id, CALIBRATION_IMAGES);
    if (!calibration.length) throw new Error(`run ${run.id} has no training images to calibrate int8 with`);
    const {
      bytes: int8Bytes,
      convolutions,
      keptFloat,
    } = await quantizeOnnx(floatPath, await inputs(calibration, run.size), run.size, signal);
    const sha256 = createHash("sha256").update(int8Bytes).digest("hex");
    const artifactKey = key("projects", run.projectId, "runs", run.id, `model.int8.${sha256.slice(0, 12)}.onnx`);
    await store().put(artifactKey, int8Bytes, { contentType: "application/octet-stream" });
    const targets = (await predictionImageIds(run.id)).slice(0, AGREEMENT_IMAGES);
    let agreement = null;
    if (targets.length) {
      const [f, q] = [await loadModel(floatBytes, run.size), await loadModel(int8Bytes, run.size)];
      try {
        agreement = await int8Agreement(f, q, await inputs(await imagesForPrediction(targets), run.size));
      } finally {
        await Promise.all([f.session.release(), q.session.release()]);
      }
    }
    const info: Int8Info = {
      artifactKey,
      sha256,
      calibrationImages: calibration.length,
      convolutions,
      keptFloat,
      bytes: int8Bytes.length,
      floatBytes: floatBytes.length,
      agreement,
      madeAt: new Date().toISOString(),
    };
    await recordInt8Model(run.id, info);
    return info;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
