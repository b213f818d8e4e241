import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { captureLog } from "../setup/cli-capture";
import { run, summary } from "../../cli/commands/evaluate";
import { tinyModel } from "../setup/tiny-model";
import { detectionReport } from "../setup/detection-report";

type Level = {
  confusion: { tp: number; fp: number; tn: number; fn: number };
  metrics: Record<string, { value: number | null; ci: number | null }>;
  rocAuc: number | null;
};

const capture = (argv: string[]) => captureLog(() => run(argv));

describe("tandem evaluate", () => {
  it("agrees with the trainer's own held-out evaluation on the same images", async () => {
    const tiny = await tinyModel([], { presenceHead: true });
    // The trainer's validation set (tests/setup/tiny-model.ts): cov3 with its mask, ctl7 without.
    const dir = mkdtempSync(path.join(os.tmpdir(), "tandem-evaluate-"));
    mkdirSync(path.join(dir, "images"));
    mkdirSync(path.join(dir, "masks"));
    copyFileSync(path.join(tiny.dir, "data", "cov3.png"), path.join(dir, "images", "cov3.png"));
    copyFileSync(path.join(tiny.dir, "data", "cov3.mask.png"), path.join(dir, "masks", "cov3.png"));
    copyFileSync(path.join(tiny.dir, "data", "ctl7.png"), path.join(dir, "images", "ctl7.png"));
    writeFileSync(path.join(dir, "model.onnx"), tiny.onnx);

    const out = JSON.parse(await capture(["--model", path.join(dir, "model.onnx"), "--data", dir, "--json"])) as {
      images: number;
      positives: number;
      size: number;
      pixel: Level;
      image: Level;
      dice: { n: number; mean: number };
      msPerImage: number;
    };
    expect(out.size).toBe(tiny.size); // read from the model, not a --size default
    type TrainerLevel = { confusion: Level["confusion"]; sensitivity: { value: number }; roc_auc: number };
    const trainer = (tiny.metrics as { final: { pixel: TrainerLevel; image: TrainerLevel } }).final;
    expect([out.images, out.positives]).toEqual([2, 1]);
    expect(out.image.confusion).toEqual(trainer.image.confusion);
    // Pixels: the same counts, up to a pixel whose probability sits within float error of 0.5.
    for (const k of ["tp", "fp", "tn", "fn"] as const)
      expect(Math.abs(out.pixel.confusion[k] - trainer.pixel.confusion[k])).toBeLessThanOrEqual(2);
    expect(out.pixel.metrics.sensitivity.value!).toBeCloseTo(trainer.pixel.sensitivity.value, 3);
    expect(out.pixel.rocAuc!).toBeCloseTo(trainer.pixel.roc_auc, 2); // the trainer bins pixel scores in 1/1000 steps

    expect(out.dice.n).toBe(1);
    expect(out.msPerImage).toBeGreaterThan(0);

    // Relative paths are the caller's (npx sets INIT_CWD to the folder the user typed in).
    const before = process.env.INIT_CWD;
    process.env.INIT_CWD = dir;
    try {
      const text = await capture(["--model", "model.onnx", "--data", ".", "--per-image", "rows.csv"]);
      expect(text).toMatch(/Segmentation, pixel level \(threshold 0\.5\)/);
      expect(text).toMatch(/sensitivity\s+\d\.\d{4} ± \d\.\d{4}\s+\[\d\.\d{4}, \d\.\d{4}\]/);
      expect(text).toMatch(/IoU \(pooled\)/);
      expect(text).toMatch(/per-image Dice over 1 COVID-19 images: mean \d\.\d{4}/);
      expect(text).toMatch(/ms\/image/);
      expect(text).toMatch(/COVID-19 detection, image level/);
      const csv = readFileSync(path.join(dir, "rows.csv"), "utf8").trim().split("\n");
      expect(csv[0]).toMatch(/^id,label,dice,iou,max_prob,presence,paper_positive,calibrated_positive/);
      // The presence head's probability, in (0, 1), on every row.
      for (const row of csv.slice(1)) expect(Number(row.split(",")[5])).toBeGreaterThan(0);
      expect(csv.slice(1).map((l) => l.split(",").slice(0, 2).join(","))).toEqual(["cov3,covid", "ctl7,control"]);
    } finally {
      process.env.INIT_CWD = before;
    }
    expect(summary).toMatch(/evaluate/);

    // The model card beside the model brings its calibrated rule.
    writeFileSync(
      path.join(dir, "metrics.json"),
      JSON.stringify({ detection: detectionReport("monitor", 0.5, 0.99, 1, 0.9) }),
    );
    const withRule = JSON.parse(await capture(["--model", path.join(dir, "model.onnx"), "--data", dir, "--json"])) as {
      detection: { calibratedRule: { minArea: number; sensitivity: { k: number; n: number } } };
    };
    expect(withRule.detection.calibratedRule.minArea).toBe(0.99);
    expect(withRule.detection.calibratedRule.sensitivity).toMatchObject({ k: 0, n: 1 }); // nothing covers 99%

    // A presence rule (the trainer's out-of-fold calibration) reads the model's presence output:
    // at threshold 0 every image is called positive; the threshold table lists it.
    const presenceCard = (threshold: number) => ({
      detection_oof: {
        source: "out-of-fold",
        calibrated: { ...detectionReport("x", threshold, 0, 0.95, 0.5).calibrated, kind: "presence" },
      },
    });
    writeFileSync(path.join(dir, "metrics.json"), JSON.stringify(presenceCard(0)));
    type WithPresence = {
      detection: {
        calibratedRule: { kind: string; sensitivity: { k: number }; specificity: { k: number } };
        presenceTable: { threshold: number; sensitivity: { n: number } }[];
      };
    };
    const presence = JSON.parse(
      await capture(["--model", path.join(dir, "model.onnx"), "--data", dir, "--json"]),
    ) as WithPresence;
    expect(presence.detection.calibratedRule).toMatchObject({
      kind: "presence",
      sensitivity: { k: 1 },
      specificity: { k: 0 },
    });
    expect(presence.detection.presenceTable[0]).toMatchObject({ threshold: 0, sensitivity: { n: 1 } });
    expect(presence.detection.presenceTable.length).toBe(12);
    writeFileSync(path.join(dir, "metrics.json"), JSON.stringify(presenceCard(1)));
    const none = JSON.parse(
      await capture(["--model", path.join(dir, "model.onnx"), "--data", dir, "--json"]),
    ) as WithPresence;
    expect(none.detection.calibratedRule).toMatchObject({ sensitivity: { k: 0 }, specificity: { k: 1 } });

    // A mask folder under another name is refused, and accepted with --masks.
    renameSync(path.join(dir, "masks"), path.join(dir, "labels_masks"));
    await expect(run(["--model", path.join(dir, "model.onnx"), "--data", dir])).rejects.toThrow(
      /no mask folder .*--masks .*labels_masks/,
    );
    const viaFlag = JSON.parse(
      await capture([
        "--model",
        path.join(dir, "model.onnx"),
        "--data",
        dir,
        "--masks",
        path.join(dir, "labels_masks"),
        "--json",
      ]),
    ) as { positives: number };
    expect(viaFlag.positives).toBe(1);
  }, 120_000);

  it("still evaluates a model exported before the presence head (one output), and refuses a presence rule for it", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "tandem-evaluate-headless-"));
    const made = spawnSync(process.env.PYTHON ?? "/usr/bin/python3", ["-m", "tools.headless_case", "64", dir], {
      cwd: path.resolve("workers/trainer"),
      encoding: "utf8",
    });
    expect(made.status, made.stderr).toBe(0);
    mkdirSync(path.join(dir, "images"));
    mkdirSync(path.join(dir, "masks"));
    const tiny = await tinyModel([], { presenceHead: true });
    copyFileSync(path.join(tiny.dir, "data", "cov3.png"), path.join(dir, "images", "cov3.png"));
    copyFileSync(path.join(tiny.dir, "data", "cov3.mask.png"), path.join(dir, "masks", "cov3.png"));
    copyFileSync(path.join(tiny.dir, "data", "ctl7.png"), path.join(dir, "images", "ctl7.png"));
    const out = JSON.parse(await capture(["--model", path.join(dir, "model.onnx"), "--data", dir, "--json"])) as {
      images: number;
      size: number;
      image: Level;
      detection: { presenceTable: unknown };
    };
    expect([out.images, out.size]).toEqual([2, 64]);
    expect(out.image.confusion.tp + out.image.confusion.fn).toBe(1);
    expect(out.detection.presenceTable).toBeNull();
    writeFileSync(
      path.join(dir, "metrics.json"),
      JSON.stringify({
        detection_oof: {
          source: "out-of-fold",
          calibrated: { ...detectionReport("x", 0.5, 0, 0.95, 0.5).calibrated, kind: "presence" },
        },
      }),
    );
    await expect(run(["--model", path.join(dir, "model.onnx"), "--data", dir])).rejects.toThrow(
      /presence output, but this model has none/,
    );
  }, 120_000);

  it("explains its usage and refuses unknown options with the nearest valid one", async () => {
    await expect(run([])).rejects.toThrow(/usage: tandem evaluate --model/);
    await expect(run(["--model", "m.onnx", "--data", "d", "--treshold", "0.3"])).rejects.toThrow(
      /unknown option --treshold; did you mean --threshold\?/,
    );
    await expect(run(["--model", "m.onnx", "--data", "d", "--size", "96"])).rejects.toThrow(/unknown option --size/);
  });
});
