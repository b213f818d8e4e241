import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { captureLog } from "../setup/cli-capture";
import { classifierCase } from "../setup/tiny-model";
import { run } from "../../cli/commands/evaluate";

// `tandem evaluate --task classify` on a classifier exported by the trainer whose head favours
// bright images (tools/classifier_case.py): bright COVID-19 images against dark controls give
// a perfect ROC AUC, run through the worker-thread classifier session.

const capture = (argv: string[]) => captureLog(() => run(argv));

const SIZE = 32;
const png = (value: number, size = 48) =>
  sharp(Buffer.alloc(size * size, value), { raw: { width: size, height: size, channels: 1 } })
    .png()
    .toBuffer();

describe("tandem evaluate --task classify", () => {
  it("reports the threshold table and AUC of a classifier, and refuses it as a segmentation model", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "tandem-eval-cls-"));
    classifierCase("squeezenet1_1", SIZE, dir);
    const data = path.join(dir, "data");
    mkdirSync(path.join(data, "images"), { recursive: true });
    mkdirSync(path.join(data, "masks"));
    const half = Buffer.alloc(48 * 48, 0);
    half.fill(255, 0, 24 * 48);
    const mask = await sharp(half, { raw: { width: 48, height: 48, channels: 1 } })
      .png()
      .toBuffer();
    for (let i = 0; i < 3; i++) {
      await sharp(await png(200 + 10 * i)).toFile(path.join(data, "images", `cov${i}.png`));
      await sharp(mask).toFile(path.join(data, "masks", `cov${i}.png`));
      await sharp(await png(20 + 10 * i)).toFile(path.join(data, "images", `ctl${i}.png`));
      await sharp(await png(0)).toFile(path.join(data, "masks", `ctl${i}.png`));
    }
    const model = path.join(dir, "model.onnx");
    const out = JSON.parse(await capture(["--model", model, "--data", data, "--task", "classify", "--json"])) as {
      task: string;
      size: number;
      evaluation: { n: number; positives: number; rocAuc: { value: number }; table: { threshold: number }[] };
      perImage: { id: string; prob: number }[];
    };
    expect([out.task, out.size, out.evaluation.n, out.evaluation.positives]).toEqual(["classify", SIZE, 6, 3]);
    expect(out.evaluation.rocAuc.value).toBe(1);
    expect(out.evaluation.table.map((t) => t.threshold)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    const prob = (id: string) => out.perImage.find((p) => p.id === id)!.prob;
    expect(prob("cov2")).toBeGreaterThan(prob("ctl0"));
    await expect(capture(["--model", model, "--data", data, "--task", "segment"])).rejects.toThrow(
      /is an image-level classifier .* pass --task classify/,
    );
  }, 300_000);
});
