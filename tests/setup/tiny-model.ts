import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { db } from "../../lib/db/client";
import {
  completeTrainingRun,
  selectStage1Subset,
  startStage1,
  startStage1Training,
} from "../../lib/protocol/mutations";
import { key } from "../../lib/storage/keys";
import { store } from "../../lib/storage/store";
import { runTrainer } from "../../workers/trainer-process";
import { makeProject } from "./fixtures";
import { drawAllManual } from "./protocol";
import { addTestImages } from "./synthetic-images";

/**
 * A tiny U-Net trained by the real Python trainer, once per machine and spec: the ONNX, its
 * metrics.json and PyTorch's probability PNGs for `predict` are cached under os.tmpdir(),
 * keyed by a hash of the spec, the trainer's sources and every input image, so test files
 * share one training.
 */

export const TINY_SIZE = 64;

export type PredictInput = { id: string; png: Buffer };

export type TinyModel = {
  dir: string;
  onnx: Buffer;
  sha256: string;
  metrics: Record<string, unknown>;
  size: number;
  /** PyTorch's probability map for a `predict` id: TINY_SIZE² uint8, round(p × 255). */
  torchProb(id: string): Promise<Uint8Array>;
};

/** A synthetic 8-bit "CXR": a gradient, some texture, and (for COVID) a bright blob with its mask. */
export function blobImage(width: number, height: number, seed: number, withBlob: boolean) {
  const pixels = new Uint8Array(width * height);
  const mask = new Uint8Array(width * height);
  const cx = width * (0.3 + 0.4 * (((seed * 37) % 11) / 10));
  const cy = height * (0.35 + 0.3 * (((seed * 53) % 7) / 6));
  const r = Math.min(width, height) * (0.14 + 0.04 * (seed % 3));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const d = Math.hypot(x - cx, y - cy) / r;
      const blob = withBlob && d < 1 ? Math.round(110 * (1 - d * d * 0.5)) : 0;
      pixels[i] = Math.min(
        255,
        30 + Math.round((x / width) * 60 + (y / height) * 30) + ((seed * 31 + x * 7 + y * 13) % 23) + blob,
      );
      if (withBlob && d < 0.9) mask[i] = 255;
    }
  }
  return { pixels, mask };
}

/** A grayscale image as a PNG (a training file, or the CXR a user uploads). */
export const grayPng = (px: Uint8Array, width: number, height: number) =>
  sharp(Buffer.from(px), { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();

const sha = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");

const TRAIN = { covid: 6, control: 3, side: 64 };
const SETTINGS = {
  arch: "unet",
  encoder: "tiny",
  width: 4,
  size: TINY_SIZE,
  epochs: 4,
  batch_size: 3,
  lr: 0.01,
  seed: 1,
  device: "cpu",
  augment: "none",
  workers: 0,
  // The fixture checks the mask path (ONNX against PyTorch, pixel by pixel): with the presence
  // head's BCE at its usual weight, its 4 epochs leave most pixels within one 8-bit step of 0.5,
  // where the comparison cannot say which side they fall. Weight 0 leaves the head untrained, and
  // an untrained head is not exported; `presenceHead` trains it at a weight small enough to leave
  // the encoder to the masks (Adam still moves the head, whose only gradient it is).
  presence_weight: 0,
};

/** A hash of the trainer's sources, so a changed trainer retrains instead of reusing a stale model. */
async function trainerHash(): Promise<string> {
  const root = path.resolve("workers/trainer/tandem_trainer");
  const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith(".py")).sort();
  const h = createHash("sha256");
  for (const f of files) h.update(f).update(await readFile(path.join(root, f)));
  return h.digest("hex");
}

/** Trains (or reuses) the tiny model; `predict` images get PyTorch probability maps. */
export async function tinyModel(
  predict: PredictInput[] = [],
  opts: { presenceHead?: boolean } = {},
): Promise<TinyModel> {
  const settings = opts.presenceHead ? { ...SETTINGS, presence_weight: 1e-4 } : SETTINGS;
  const key = sha(
    JSON.stringify({ trainer: await trainerHash(), settings, TRAIN, predict: predict.map((p) => [p.id, sha(p.png)]) }),
  ).slice(0, 24);
  const root = path.join(os.tmpdir(), "tandem-tiny-model");
  const dir = path.join(root, key);
  if (!existsSync(path.join(dir, "out", "model.onnx"))) await train(root, dir, predict, settings);
  const onnx = await readFile(path.join(dir, "out", "model.onnx"));
  const metrics = JSON.parse(await readFile(path.join(dir, "out", "metrics.json"), "utf8")) as Record<string, unknown>;
  return {
    dir,
    onnx,
    sha256: sha(onnx),
    metrics,
    size: TINY_SIZE,
    torchProb: async (id) => {
      const { data, info } = await sharp(path.join(dir, "out", "pred", `${id}.png`))
        .toColourspace("b-w")
        .raw()
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 1 || info.width !== TINY_SIZE)
        throw new Error(`unexpected PyTorch map ${info.width}×${info.height}×${info.channels}`);
      return new Uint8Array(data);
    },
  };
}

async function train(root: string, dir: string, predict: PredictInput[], settings: typeof SETTINGS) {
  await mkdir(root, { recursive: true });
  // Built in a private folder and renamed into place, so parallel test workers never see half a model.
  const work = await mkdtemp(path.join(root, "tmp-"));
  try {
    const data = path.join(work, "data");
    await mkdir(data);
    type Item = { id: string; image: string; mask: string | null; label: string };
    const train: Item[] = [];
    const val: Item[] = [];
    const { side } = TRAIN;
    for (let i = 0; i < TRAIN.covid + TRAIN.control; i++) {
      const covid = i < TRAIN.covid;
      const { pixels, mask } = blobImage(side, side, i + 1, covid);
      const id = `${covid ? "cov" : "ctl"}${i}`;
      await writeFile(path.join(data, `${id}.png`), await grayPng(pixels, side, side));
      if (covid) await writeFile(path.join(data, `${id}.mask.png`), await grayPng(mask, side, side));
      const item = {
        id,
        image: `data/${id}.png`,
        mask: covid ? `data/${id}.mask.png` : null,
        label: covid ? "covid" : "control",
      };
      (i % 4 === 3 ? val : train).push(item);
    }
    const items: { id: string; image: string }[] = [];
    for (const p of predict) {
      await writeFile(path.join(data, `p-${p.id}.png`), p.png);
      items.push({ id: p.id, image: `data/p-${p.id}.png` });
    }
    await writeFile(path.join(work, "spec.json"), JSON.stringify({ ...settings, train, val, predict: items }));
    await runTrainer(["train", "--spec", path.join(work, "spec.json"), "--out", path.join(work, "out")], {
      timeoutMs: 300_000,
    });
    await rm(path.join(work, "out", "last.pt"), { force: true });
    await rm(path.join(work, "out", "best.pt"), { force: true });
    await rename(work, dir).catch(async (e: NodeJS.ErrnoException) => {
      if (!existsSync(path.join(dir, "out", "model.onnx"))) throw e; // another worker won the race
      await rm(work, { recursive: true, force: true });
    });
  } catch (e) {
    await rm(work, { recursive: true, force: true });
    throw e;
  }
}

/** Stands in for the train jobs: the tiny model becomes each run's artifact, and the runs succeed. */
export async function completeRunsWithTinyModel(projectId: string, runIds: string[], model: TinyModel) {
  for (const runId of runIds) {
    const artifactKey = key("projects", projectId, "runs", runId, "model.onnx");
    await store().put(artifactKey, model.onnx);
    await db().job.updateMany({
      where: { name: "train", singletonKey: `train:${runId}` },
      data: { status: "SUCCEEDED" },
    });
    await completeTrainingRun(runId, { artifactKey, weightsSha256: model.sha256, metrics: model.metrics });
  }
}

/**
 * A project whose Stage I is drawn and trained: 4 COVID images (patients `<prefix>0`…, `size` px), one
 * U-Net/tiny over 2 folds, every run completed with `model`.
 */
export async function projectWithTinyRuns(model: TinyModel, prefix = "P", size?: number) {
  const fx = await makeProject({
    folds: 2,
    stage1Archs: [{ arch: "unet", encoder: "tiny" }],
    trainConfig: { size: TINY_SIZE },
  });
  const p = fx.project.id;
  await addTestImages(p, 4, (i) => ({ label: "COVID", patientPseudonym: `${prefix}${i}` }), size);
  await selectStage1Subset(fx.lead.actor, p, { size: 4 });
  await startStage1(fx.lead.actor, p);
  await drawAllManual(p, fx.md.id);
  const { runIds } = await startStage1Training(fx.lead.actor, p);
  await completeRunsWithTinyModel(p, runIds, model);
  return { fx, runIds };
}

/**
 * A tiny trained classifier case from the trainer's tools/classifier_case.py, written to `dir`
 * (model.onnx among its files); the test fails with the trainer's stderr if it cannot be made.
 */
export function classifierCase(arch: string, size: number, dir: string): void {
  const r = spawnSync(
    process.env.PYTHON ?? "/usr/bin/python3",
    ["-m", "tools.classifier_case", arch, String(size), dir],
    {
      cwd: path.resolve("workers/trainer"),
      encoding: "utf8",
    },
  );
  if (r.status !== 0) throw new Error(`tools.classifier_case failed: ${r.stderr}`);
}

/** The prediction job's context for one chunk of a run (`jobId` differs to race two attempts). */
export const predictJobContext = (runId: string, jobId = `job-${runId}`) => ({
  jobId,
  attempt: 1,
  payload: { runId, chunk: 0, chunks: 1 },
  signal: new AbortController().signal,
  progress: async () => {},
});
