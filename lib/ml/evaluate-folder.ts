import { randomBytes } from "node:crypto";
import { EvaluationClock } from "./evaluation-clock";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../errors/app-error";
import { decodeImage } from "../images/decode-image";
import { decodeMaskPng } from "../masks/png-codec";
import { resizeMaskNearest } from "../masks/resize";
import { detectionEvaluation, imageScore, PixelEvaluator, type Evaluation } from "./metrics";
import { predictBatchWithPresence, type Model } from "./onnx-model";
import { pilResizeBilinear } from "./pil-resize";
import { DEFAULT_THRESHOLD } from "./threshold";
import { detectCalibrated } from "./detection";
import type { DetectionRule } from "./model-card";
import type { ConfusionCounts } from "../masks/measures";

const IMAGE_EXT = new Set([".png", ".jpg", ".jpeg", ".dcm"]);

export type FolderEvaluation = {
  images: number;
  /** Images whose mask has foreground (COVID-19); the others, and images without a mask, are controls. */
  positives: number;
  threshold: number;
  size: number;
  pixel: Evaluation;
  image: Evaluation;
  perImage: PerImage[];
  /** Wall time per image: decoding, resizing and inference. */
  msPerImage: number;
  /** Inference alone, per image. */
  inferenceMsPerImage: number;
  rule: DetectionRule | null;
};

type Item = { id: string; image: string; mask: string | null };

export type PerImage = {
  id: string;
  /** The mask has foreground (COVID-19). */
  positive: boolean;
  /** Dice and IoU at the threshold; null where mask and prediction are both empty. */
  dice: number | null;
  iou: number | null;
  maxProb: number;
  /** The presence head's probability of infection; null for a model without the head. */
  presence: number | null;
  /** The paper's rule: some pixel ≥ threshold. */
  paperPositive: boolean;
  /** The model's calibrated rule; null without one. */
  calibratedPositive: boolean | null;
  largestComponent: number | null;
  confusion: ConfusionCounts;
};

async function scan(dir: string, masksDir?: string): Promise<Item[]> {
  const imagesDir = path.join(dir, "images");
  if (!existsSync(imagesDir))
    throw new AppError("BAD_REQUEST", `${imagesDir} does not exist (the folder needs images/ and masks/)`);
  const masks = masksDir ?? path.join(dir, "masks");
  if (!existsSync(masks)) {
    const near = existsSync(dir) ? (await readdir(dir)).filter((n) => /mask/i.test(n) && n !== "masks") : [];
    throw new AppError(
      "BAD_REQUEST",
      `no mask folder ${masks}${near.length ? ` (found ${near.join(", ")}: pass --masks ${path.join(dir, near[0])})` : ""}; every image needs masks/<id>.png (all-zero for a control) or give the folder with --masks DIR`,
    );
  }
  const items: Item[] = [];
  for (const name of (await readdir(imagesDir)).sort()) {
    const ext = path.extname(name).toLowerCase();
    if (name.startsWith(".") || !IMAGE_EXT.has(ext)) continue;
    const id = name.slice(0, -ext.length);
    const mask = path.join(masks, `${id}.png`);
    items.push({ id, image: path.join(imagesDir, name), mask: existsSync(mask) ? mask : null });
  }
  if (!items.length) throw new AppError("BAD_REQUEST", `no PNG, JPEG or DICOM images in ${imagesDir}`);
  const missing = items.filter((it) => !it.mask);
  if (missing.length === items.length)
    throw new AppError(
      "BAD_REQUEST",
      `none of the ${items.length} images has a mask in ${masks} (masks must be <id>.png with the image's name)`,
    );
  return items;
}

/**
 * A model over a folder of images/<id>.(png|jpg|dcm) and masks/<id>.png, evaluated like the
 * trainer does: at network resolution (masks resized nearest), pixel level and image level
 * (COVID-19 when any pixel ≥ threshold), with 95% intervals and curves.
 */
export async function evaluateFolder(
  model: Model,
  dir: string,
  opts: {
    threshold?: number;
    batch?: number;
    masksDir?: string;
    rule?: DetectionRule | null;
    onProgress?: (done: number, total: number) => void;
  } = {},
): Promise<FolderEvaluation> {
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  const batch = opts.batch ?? 8;
  const rule = opts.rule ?? null;
  const { size } = model;
  const items = await scan(dir, opts.masksDir);
  const perImage: PerImage[] = [];
  const clock = new EvaluationClock();
  // Nothing is stored: the key only satisfies the decoder's DICOM pseudonymisation.
  const pseudonymKey = process.env.PSEUDONYM_KEY ?? randomBytes(24).toString("hex");
  const pixel = new PixelEvaluator(threshold);
  const images: { prob: number[]; positive: boolean }[] = [];
  for (let i = 0; i < items.length; i += batch) {
    const loaded = await Promise.all(
      items.slice(i, i + batch).map(async (it) => {
        const img = await decodeImage(await readFile(it.image), { pseudonymKey, fileName: it.image });
        let truth: Uint8Array = new Uint8Array(size * size);
        if (it.mask) {
          const m = await decodeMaskPng(await readFile(it.mask));
          if (m.width !== img.width || m.height !== img.height)
            throw new AppError(
              "BAD_REQUEST",
              `${it.id}: the mask is ${m.width}×${m.height} but the image ${img.width}×${img.height}`,
            );
          truth = resizeMaskNearest(m.mask, m.width, m.height, size, size);
        }
        return { input: pilResizeBilinear(img.pixels8, img.width, img.height, size, size), truth };
      }),
    );
    const { maps: probs, presence } = await clock.inference(() =>
      predictBatchWithPresence(
        model,
        loaded.map((l) => l.input),
      ),
    );
    if (rule?.kind === "presence" && !presence)
      throw new AppError(
        "BAD_REQUEST",
        "the calibrated rule reads the model's presence output, but this model has none (a metrics.json from another model?)",
      );
    probs.forEach((prob, b) => {
      const truth = loaded[b].truth;
      pixel.add(prob, truth);
      const positive = truth.some((v) => v !== 0);
      const score = imageScore(prob);
      images.push({ prob: [score], positive });
      const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
      for (let k = 0; k < prob.length; k++) {
        const p = prob[k] >= threshold,
          t = truth[k] !== 0;
        if (p) t ? c.tp++ : c.fp++;
        else t ? c.fn++ : c.tn++;
      }
      const presenceProb = presence ? presence[b] : null;
      const calibrated = rule ? detectCalibrated(prob, rule, presenceProb) : null;
      perImage.push({
        id: items[i + b].id,
        positive,
        dice: c.tp + c.fp + c.fn ? (2 * c.tp) / (2 * c.tp + c.fp + c.fn) : null,
        iou: c.tp + c.fp + c.fn ? c.tp / (c.tp + c.fp + c.fn) : null,
        maxProb: score,
        presence: presenceProb,
        paperPositive: score >= threshold,
        calibratedPositive: calibrated ? calibrated.positive : null,
        largestComponent: calibrated && calibrated.kind === "component" ? calibrated.largestComponent : null,
        confusion: c,
      });
    });
    opts.onProgress?.(Math.min(items.length, i + batch), items.length);
  }
  return {
    images: items.length,
    positives: images.filter((x) => x.positive).length,
    threshold,
    size,
    pixel: pixel.result(),
    image: detectionEvaluation(images, threshold),
    perImage,
    ...clock.perImage(items.length),
    rule,
  };
}
