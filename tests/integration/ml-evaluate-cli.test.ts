import { describe, expect, it, vi } from "vitest";
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { run, summary } from "../../cli/commands/evaluate";
import { tinyModel } from "../setup/tiny-model";

type Level = { confusion: { tp: number; fp: number; tn: number; fn: number }; metrics: Record<string, { value: number | null; ci: number | null }>; rocAuc: number | null };

async function capture(argv: string[]): Promise<string> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.join(" ")));
  try {
    await run(argv);
  } finally {
    spy.mockRestore();
  }
  return lines.join("\n");
}

describe("tandem evaluate", () => {
  it("agrees with the trainer's own held-out evaluation on the same images", async () => {
    const tiny = await tinyModel();
    // The trainer's validation set (tests/setup/tiny-model.ts): cov3 with its mask, ctl7 without.
    const dir = mkdtempSync(path.join(os.tmpdir(), "tandem-evaluate-"));
    mkdirSync(path.join(dir, "images"));
    mkdirSync(path.join(dir, "masks"));
    copyFileSync(path.join(tiny.dir, "data", "cov3.png"), path.join(dir, "images", "cov3.png"));
    copyFileSync(path.join(tiny.dir, "data", "cov3.mask.png"), path.join(dir, "masks", "cov3.png"));
    copyFileSync(path.join(tiny.dir, "data", "ctl7.png"), path.join(dir, "images", "ctl7.png"));
    writeFileSync(path.join(dir, "model.onnx"), tiny.onnx);

    const out = JSON.parse(await capture(["--model", path.join(dir, "model.onnx"), "--data", dir, "--size", String(tiny.size), "--json"])) as { images: number; positives: number; pixel: Level; image: Level };
    type TrainerLevel = { confusion: Level["confusion"]; sensitivity: { value: number }; roc_auc: number };
    const trainer = (tiny.metrics as { final: { pixel: TrainerLevel; image: TrainerLevel } }).final;
    expect([out.images, out.positives]).toEqual([2, 1]);
    expect(out.image.confusion).toEqual(trainer.image.confusion);
    // Pixels: the same counts, up to a pixel whose probability sits within float error of 0.5.
    for (const k of ["tp", "fp", "tn", "fn"] as const) expect(Math.abs(out.pixel.confusion[k] - trainer.pixel.confusion[k])).toBeLessThanOrEqual(2);
    expect(out.pixel.metrics.sensitivity.value!).toBeCloseTo(trainer.pixel.sensitivity.value, 3);
    expect(out.pixel.rocAuc!).toBeCloseTo(trainer.pixel.roc_auc, 2); // the trainer bins pixel scores in 1/1000 steps

    const text = await capture(["--model", path.join(dir, "model.onnx"), "--data", dir, "--size", String(tiny.size)]);
    expect(text).toMatch(/Segmentation, pixel level \(threshold 0\.5\)/);
    expect(text).toMatch(/sensitivity\s+\d\.\d{4} ± \d\.\d{4}/);
    expect(text).toMatch(/COVID-19 detection, image level/);
    expect(summary).toMatch(/evaluate/);
  }, 120_000);

  it("explains its usage", async () => {
    await expect(run([])).rejects.toThrow(/usage: tandem evaluate --model/);
    await expect(run(["--model", "m.onnx", "--data", "d", "--size", "100"])).rejects.toThrow(/multiple of 32/);
  });
});
