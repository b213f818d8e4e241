import { createHash } from "node:crypto";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { JobHandler } from "../../lib/jobs/types";
import { PermanentJobError } from "../../lib/jobs/types";
import { jobDefinitions } from "../../lib/jobs/definitions";
import { trainingInputs } from "../../lib/protocol/queries";
import { completeTrainingRun, failRun, markRunStarted, recordRunProgress } from "../../lib/protocol/mutations";
import { store } from "../../lib/storage/store";
import { key } from "../../lib/storage/keys";
import { logger } from "../../lib/log/logger";
import { isClassifierConfig, type ClassifierTrainConfig, type TrainConfig } from "../../lib/protocol/types";
import { runTrainer } from "../trainer-process";
import { trainingPreset } from "../../lib/ml/presets";

type SpecSample = {
  id: string;
  image: string;
  mask: string | null;
  label: "covid" | "control";
  patient: string | null;
};

export function segmentationSpec(
  cfg: TrainConfig,
  arch: string,
  encoder: string,
  fold: number | null,
  train: SpecSample[],
  val: SpecSample[],
) {
  const presetAugment = cfg.preset ? trainingPreset(cfg.preset).settings.augment : null;
  return {
    ...(cfg.preset ? { preset: cfg.preset } : {}),
    ...(cfg.steps ? { steps: cfg.steps } : {}),
    arch,
    encoder,
    pretrained: cfg.pretrained ?? null,
    freeze_encoder: cfg.freezeEncoder ?? false,
    ...(cfg.width ? { width: cfg.width } : {}),
    ...(cfg.focalAlpha !== undefined ? { focal_alpha: cfg.focalAlpha } : {}),
    ...(cfg.presenceWeight !== undefined ? { presence_weight: cfg.presenceWeight } : {}),
    ...(cfg.shiftTta !== undefined ? { shift_tta: cfg.shiftTta } : {}),
    ...(cfg.monitorFraction !== undefined ? { monitor_fraction: cfg.monitorFraction } : {}),
    size: cfg.size,
    epochs: cfg.epochs,
    batch_size: cfg.batchSize,
    lr: cfg.lr,
    seed: (fold ?? 0) + 1,
    device: process.env.TRAIN_DEVICE ?? "auto",
    // The paper augments positives up to class balance; with no controls (Stage I) that
    // would augment nothing, so every image is augmented instead.
    // A preset that augments every image keeps doing so.
    augment: presetAugment === "all" || !train.some((t) => t.label === "control") ? "all" : "balance",
    train,
    val,
  };
}

/** A classifier fold: the preset fills every setting the lead did not override. */
function classifierSpec(
  cfg: ClassifierTrainConfig,
  arch: string,
  fold: number | null,
  train: SpecSample[],
  val: SpecSample[],
) {
  return {
    task: "classify",
    preset: cfg.preset,
    arch,
    ...(cfg.epochs ? { epochs: cfg.epochs } : {}),
    ...(cfg.size ? { size: cfg.size } : {}),
    seed: (fold ?? 0) + 1,
    device: process.env.TRAIN_DEVICE ?? "auto",
    train,
    val,
  };
}

/** Trains one model run: data folder from storage → Python trainer → ONNX artifact in storage. */
export const trainHandler: JobHandler<{ runId: string }> = async ({ payload, attempt, signal, progress }) => {
  const { run, train, val } = await trainingInputs(payload.runId);
  if (run.status === "SUCCEEDED" && run.artifactKey) {
    return await completeTrainingRun(run.id, {
      artifactKey: run.artifactKey,
      weightsSha256: run.weightsSha256!,
      metrics: run.metrics,
      paramCount: run.paramCount ?? undefined,
    });
  }
  if (!train.length) throw new PermanentJobError("The run has no training images");
  await markRunStarted(run.id);
  const dir = await mkdtemp(path.join(os.tmpdir(), `tandem-train-${run.id.slice(0, 8)}-`));
  try {
    await mkdir(path.join(dir, "data"));
    const fetch = async (k: string, name: string) => {
      const p = path.join(dir, "data", name);
      await writeFile(p, await store().get(k));
      return p;
    };
    const sample = async (it: (typeof train)[number]): Promise<SpecSample> => ({
      id: it.imageId,
      image: await fetch(it.imageKey, `${it.imageId}.png`),
      mask: it.maskKey ? await fetch(it.maskKey, `${it.imageId}.mask.png`) : null,
      label: it.label,
      patient: it.patient,
    });
    const trainSamples = await Promise.all(train.map(sample));
    const valSamples = await Promise.all(val.map(sample));
    const spec = isClassifierConfig(run.config)
      ? classifierSpec(run.config, run.arch, run.fold, trainSamples, valSamples)
      : segmentationSpec(run.config as TrainConfig, run.arch, run.encoder, run.fold, trainSamples, valSamples);
    await writeFile(path.join(dir, "spec.json"), JSON.stringify(spec));
    let lastReport = 0;
    await runTrainer(["train", "--spec", path.join(dir, "spec.json"), "--out", path.join(dir, "out")], {
      signal,
      timeoutMs: Number(process.env.TRAIN_TIMEOUT_MS ?? 6 * 3600_000),
      onEvent: (e) => {
        if (e.type !== "progress" && e.type !== "epoch") return;
        const now = Date.now();
        if (e.type === "progress" && now - lastReport < 2000) return;
        lastReport = now;
        void recordRunProgress(run.id, e).catch(() => undefined);
        void progress(e).catch(() => undefined);
      },
      onLog: (line) => logger.debug("trainer", { run: run.id, line }),
    });
    const onnx = await readFile(path.join(dir, "out", "model.onnx"));
    const metrics = JSON.parse(await readFile(path.join(dir, "out", "metrics.json"), "utf8"));
    const artifactKey = key("projects", run.projectId, "runs", run.id, "model.onnx");
    await store().put(artifactKey, onnx, { contentType: "application/octet-stream" });
    await store().put(
      key("projects", run.projectId, "runs", run.id, "metrics.json"),
      Buffer.from(JSON.stringify(metrics)),
    );
    const weightsSha256 = createHash("sha256").update(onnx).digest("hex");
    const params = metrics.params as { trainable?: number; frozen?: number } | undefined;
    const paramCount = params ? (params.trainable ?? 0) + (params.frozen ?? 0) : undefined;
    return await completeTrainingRun(run.id, { artifactKey, weightsSha256, metrics, paramCount });
  } catch (e) {
    const max = jobDefinitions.train.maxAttempts ?? 3;
    if (attempt >= max || (e as { retryable?: boolean }).retryable === false)
      await failRun(run.id, (e as Error).message);
    throw e;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
