import { randomBytes } from "node:crypto";
import { EvaluationClock } from "./evaluation-clock";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../errors/app-error";
import { decodeImage } from "../images/decode-image";
import { decodeMaskPng } from "../masks/png-codec";
import { resizeMaskNearest } from "../masks/resize";
import { camMap, mapAgreement } from "./activation-maps";
import { evaluateClassifier, type ClassifierEvaluation, type ImageScore } from "./classification-evaluation";
import { classifyBatch, type ClassifierModel } from "./classifier-model";
import { pilResizeBilinear } from "./pil-resize";

const IMAGE_EXT = new Set([".png", ".jpg", ".jpeg", ".dcm"]);

export type ClassifierFolderEvaluation = {
  evaluation: ClassifierEvaluation;
  perImage: (ImageScore & { energyInside: number | null; pointing: boolean | null })[];
  /** Mean over COVID-19 images of the CAM's share of energy inside the mask, and the pointing game. */
  agreement: { n: number; energyInside: number | null; pointing: number | null };
  msPerImage: number;
  inferenceMsPerImage: number;
};

/**
 * A classifier over images/<id> and masks/<id>.png: the mask gives the label (foreground =
 * COVID-19, all zero = control) and, for COVID-19 images, the CAM's agreement with it.
 */
export async function evaluateClassifierFolder(
  model: ClassifierModel,
  dir: string,
  opts: { batch?: number; resamples?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<ClassifierFolderEvaluation> {
  const imagesDir = path.join(dir, "images"),
    masksDir = path.join(dir, "masks");
  if (!existsSync(imagesDir) || !existsSync(masksDir))
    throw new AppError(
      "BAD_REQUEST",
      `${dir} needs images/ and masks/ (a mask with foreground marks COVID-19, an all-zero one a control)`,
    );
  const names = (await readdir(imagesDir))
    .filter((n) => !n.startsWith(".") && IMAGE_EXT.has(path.extname(n).toLowerCase()))
    .sort();
  if (!names.length) throw new AppError("BAD_REQUEST", `no PNG, JPEG or DICOM images in ${imagesDir}`);
  const pseudonymKey = process.env.PSEUDONYM_KEY ?? randomBytes(24).toString("hex");
  const batch = opts.batch ?? 8,
    size = model.size;
  const perImage: ClassifierFolderEvaluation["perImage"] = [];
  const clock = new EvaluationClock();
  for (let i = 0; i < names.length; i += batch) {
    const loaded = await Promise.all(
      names.slice(i, i + batch).map(async (name) => {
        const id = name.slice(0, -path.extname(name).length);
        const maskPath = path.join(masksDir, `${id}.png`);
        if (!existsSync(maskPath))
          throw new AppError(
            "BAD_REQUEST",
            `${id}: no mask ${maskPath}; the label (COVID-19 or control) comes from the mask`,
          );
        const img = await decodeImage(await readFile(path.join(imagesDir, name)), { pseudonymKey, fileName: name });
        const m = await decodeMaskPng(await readFile(maskPath));
        const mask = resizeMaskNearest(m.mask, m.width, m.height, size, size);
        return {
          id,
          input: pilResizeBilinear(img.pixels8, img.width, img.height, size, size),
          mask,
          label: (m.mask.some((v) => v !== 0) ? 1 : 0) as 0 | 1,
        };
      }),
    );
    const out = await clock.inference(() =>
      classifyBatch(
        model,
        loaded.map((l) => l.input),
      ),
    );
    out.forEach((c, b) => {
      const agree = loaded[b].label
        ? mapAgreement(camMap(c.cam, c.camWidth, c.camHeight, size).prob, loaded[b].mask)
        : null;
      perImage.push({
        id: loaded[b].id,
        label: loaded[b].label,
        prob: c.prob,
        energyInside: agree?.energyInside ?? null,
        pointing: agree?.pointing ?? null,
      });
    });
    opts.onProgress?.(Math.min(names.length, i + batch), names.length);
  }
  const agreed = perImage.filter((p) => p.energyInside !== null);
  return {
    evaluation: evaluateClassifier(perImage, { resamples: opts.resamples }),
    perImage,
    agreement: {
      n: agreed.length,
      energyInside: agreed.length ? agreed.reduce((a, p) => a + p.energyInside!, 0) / agreed.length : null,
      pointing: agreed.length ? agreed.filter((p) => p.pointing).length / agreed.length : null,
    },
    ...clock.perImage(names.length),
  };
}
