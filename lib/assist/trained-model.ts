import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { ClickModelMeta } from "./types";

// The trainer's out folder: interactive.onnx + meta.json (workers/trainer/tandem_trainer/interactive/train.py).
const metaFile = z.object({
  size: z.number().int().positive(),
  click_radius_fraction: z.number().positive(),
  min_click_radius: z.number().int().min(0),
  sha256: z.string(),
  settings: z.object({ version: z.string() }),
});

export async function readTrainedModel(
  outDir: string,
): Promise<{ bytes: Uint8Array; meta: ClickModelMeta; sha256: string }> {
  const raw = metaFile.parse(JSON.parse(await readFile(path.join(outDir, "meta.json"), "utf8")));
  const bytes = new Uint8Array(await readFile(path.join(outDir, "interactive.onnx")));
  return {
    bytes,
    sha256: raw.sha256,
    meta: {
      size: raw.size,
      clickRadiusFraction: raw.click_radius_fraction,
      minClickRadius: raw.min_click_radius,
      version: raw.settings.version,
    },
  };
}

/** What InteractiveModel.meta keeps of a trained model's settings (the trainer's field names). */
export function storedMeta(meta: ClickModelMeta) {
  return {
    size: meta.size,
    click_radius_fraction: meta.clickRadiusFraction,
    min_click_radius: meta.minClickRadius,
    trainer_version: meta.version,
  };
}
