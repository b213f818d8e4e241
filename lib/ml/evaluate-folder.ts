import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../errors/app-error";
import { decodeImage } from "../images/decode-image";
import { decodeMaskPng } from "../masks/png-codec";
import { resizeMaskNearest } from "../masks/resize";
import { detectionEvaluation, imageScore, PixelEvaluator, type Evaluation } from "./metrics";
import { predictBatch, type Model } from "./onnx-model";
import { pilResizeBilinear } from "./pil-resize";
import { DEFAULT_THRESHOLD } from "./threshold";

const IMAGE_EXT = new Set([".png", ".jpg", ".jpeg", ".dcm"]);

export type FolderEvaluation = {
  images: number;
  /** Images whose mask has foreground (COVID-19); the others, and images without a mask, are controls. */
  positives: number;
  threshold: number;
  size: number;
  pixel: Evaluation;
  image: Evaluation;
};

type Item = { id: string; image: string; mask: string | null };

async function scan(dir: string): Promise<Item[]> {
  const imagesDir = path.join(dir, "images");
  if (!existsSync(imagesDir)) throw new AppError("BAD_REQUEST", `${imagesDir} does not exist`);
  const items: Item[] = [];
  for (const name of (await readdir(imagesDir)).sort()) {
    const ext = path.extname(name).toLowerCase();
    if (name.startsWith(".") || !IMAGE_EXT.has(ext)) continue;
    const id = name.slice(0, -ext.length);
    const mask = path.join(dir, "masks", `${id}.png`);
    items.push({ id, image: path.join(imagesDir, name), mask: existsSync(mask) ? mask : null });
  }
  if (!items.length) throw new AppError("BAD_REQUEST", `no PNG, JPEG or DICOM images in ${imagesDir}`);
  return items;
}

/**
 * A model over a folder of images/<id>.(png|jpg|dcm) and masks/<id>.png, evaluated like the
 * trainer does: at network resolution (masks resized nearest), pixel level and image level
 * (COVID-19 when any pixel ≥ threshold), with 95% intervals and curves.
 */
export async function evaluateFolder(model: Model, dir: string, opts: { threshold?: number; batch?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<FolderEvaluation> {
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  const batch = opts.batch ?? 8;
  const { size } = model;
  const items = await scan(dir);
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
          if (m.width !== img.width || m.height !== img.height) throw new AppError("BAD_REQUEST", `${it.id}: the mask is ${m.width}×${m.height} but the image ${img.width}×${img.height}`);
          truth = resizeMaskNearest(m.mask, m.width, m.height, size, size);
        }
        return { input: pilResizeBilinear(img.pixels8, img.width, img.height, size, size), truth };
      }),
    );
    const probs = await predictBatch(model, loaded.map((l) => l.input));
    probs.forEach((prob, b) => {
      pixel.add(prob, loaded[b].truth);
      images.push({ prob: [imageScore(prob)], positive: loaded[b].truth.some((v) => v !== 0) });
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
  };
}
