import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { nearestOption, parseArgs } from "../../../cli/context";
import { trainerArgs } from "../../../cli/commands/train";
import { largestComponentFraction } from "../../../lib/ml/components";
import { detect } from "../../../lib/ml/detection";
import { bootstrapConfusion, bootstrapMean, wilson } from "../../../lib/ml/intervals";
import { detectionRuleFromMetrics, inputSizeFromMetrics } from "../../../lib/ml/model-card";
import {
  presetNetworks,
  presetTrainConfig,
  trainingPreset,
  trainingPresetLabel,
  trainingPresetNames,
} from "../../../lib/ml/presets";
import { archs } from "../../../lib/ml/networks";
import { protocolSettingsSchema } from "../../../lib/projects/schema";
import { importWeights, listWeights, MANIFEST } from "../../../lib/ml/weights";
import { trainConfigSchema } from "../../../lib/projects/schema";
import { demoTraining } from "../../../lib/demo/training";
import { detectionReport } from "../../setup/detection-report";

describe("training presets", () => {
  it("come from the trainer's registry and fill a project's training settings", () => {
    expect(trainingPresetNames).toEqual(expect.arrayContaining(["cpu-small", "paper-gpu"]));
    const paper = trainingPreset("paper-gpu").settings;
    expect([paper.size, paper.lr, paper.batch_size, paper.epochs]).toEqual([224, 1e-4, 32, 50]);
    const cfg = trainConfigSchema.parse(presetTrainConfig("cpu-small"));
    expect(cfg.preset).toBe("cpu-small");
    expect(cfg.steps).toBe(trainingPreset("cpu-small").settings.steps);
    expect(() => trainConfigSchema.parse({ preset: "gpu-huge" })).toThrow();
    expect(trainingPresetLabel({ preset: "cpu-small" })).toMatch(/CPU.*\(cpu-small\)/);
    expect(trainingPresetLabel({ size: 224 })).toBe("custom");
    expect(demoTraining.preset).toBe("cpu-small");
  });

  it("a CPU preset trains its recommended encoder under every decoder; a GPU preset keeps the paper's networks", () => {
    const cpu = presetNetworks("cpu-small");
    const expected = archs.map((arch) => ({ arch, encoder: trainingPreset("cpu-small").recommended_encoder }));
    expect(cpu.stage1Archs).toEqual(expected);
    expect(cpu.stage2Networks).toEqual(expected);
    expect(expected.some((n) => n.encoder === "densenet121")).toBe(false);
    const settings = protocolSettingsSchema.parse(cpu);
    expect(settings.stage1Archs).toEqual(expected);
    expect(presetNetworks("paper-gpu")).toEqual({});
    const paper = protocolSettingsSchema.parse(presetNetworks("paper-gpu"));
    expect(paper.stage1Archs.map((n) => n.encoder)).toEqual(["densenet121", "densenet121", "densenet121"]);
  });
});

describe("the CLI's shared argument parser", () => {
  it("refuses unknown options with the nearest valid one, and values that are missing", () => {
    const spec = { values: ["threshold", "model"], booleans: ["json"], positionals: 1 };
    expect(parseArgs(["--threshold", "0.3", "--json", "x"], spec)).toEqual({
      flags: { threshold: "0.3", json: true },
      positional: ["x"],
    });
    expect(() => parseArgs(["x", "y"], spec)).toThrow(/unexpected argument "y"/);
    expect(() => parseArgs(["--treshold", "0.3"], spec)).toThrow(
      /unknown option --treshold; did you mean --threshold\?/,
    );
    expect(() => parseArgs(["--model"], spec)).toThrow(/--model needs a value/);
    expect(() => parseArgs(["--json=1"], spec)).toThrow(/takes no value/);
    expect(nearestOption("xyz", ["threshold"])).toBeNull();
  });

  it("train passes the preset and caller-relative paths to the trainer", () => {
    const before = process.env.INIT_CWD;
    process.env.INIT_CWD = "/home/someone/work";
    try {
      expect(trainerArgs(["--data", "cxr", "--preset", "cpu-small", "--test", "/abs/test", "--batch", "8"])).toEqual([
        "fit",
        "--data",
        "/home/someone/work/cxr",
        "--preset",
        "cpu-small",
        "--test",
        "/abs/test",
        "--batch-size",
        "8",
      ]);
      expect(trainerArgs(["--data", "d", "--weights", "imagenet"])).toEqual([
        "cv",
        "--data",
        "/home/someone/work/d",
        "--weights",
        "imagenet",
      ]);
    } finally {
      process.env.INIT_CWD = before;
    }
    expect(() => trainerArgs(["--data", "d", "--preset", "gpu-huge"])).toThrow(/--preset must be one of .*cpu-small/);
    expect(() => trainerArgs(["--data", "d", "--epoch", "3"])).toThrow(/did you mean --epochs\?/);
  });
});

describe("intervals", () => {
  it("give 0 of n a Wilson interval, never ±0", () => {
    const [lo, hi] = wilson(0, 20)!;
    expect(lo).toBe(0);
    expect(hi).toBeGreaterThan(0.15);
    const none = Array.from({ length: 20 }, () => ({ tp: 0, fp: 0, tn: 0, fn: 1 }));
    const b = bootstrapConfusion(none).sensitivity;
    expect(b.method).toBe("wilson");
    expect(b.interval![1]).toBeGreaterThan(0.15);
  });

  it("resample images, so correlated pixels widen the interval", () => {
    const perImage = Array.from({ length: 20 }, (_, i) =>
      i % 2 ? { tp: 100, fp: 0, tn: 900, fn: 0 } : { tp: 0, fp: 100, tn: 800, fn: 100 },
    );
    const f1 = bootstrapConfusion(perImage).f1;
    expect(f1.method).toBe("bootstrap");
    expect(f1.interval![1] - f1.interval![0]).toBeGreaterThan(0.2);
    const mean = bootstrapMean([0.2, 0.4, 0.6, 0.8])!;
    expect(mean[0]).toBeLessThan(0.5);
    expect(mean[1]).toBeGreaterThan(0.5);
  });
});

describe("calibrated detection", () => {
  it("measures the largest 8-connected region as the trainer does", () => {
    const prob = new Float32Array(100);
    for (const [x, y] of [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
      [2, 2],
      [7, 7],
    ])
      prob[y * 10 + x] = 0.9;
    expect(largestComponentFraction(prob, 10, 10, 0.5)).toBeCloseTo(0.05);
    expect(largestComponentFraction(prob, 10, 10, 0.95)).toBe(0);
  });

  it("applies the model card's rule beside the paper's any-pixel rule", () => {
    const card = {
      spec: { size: 64 },
      detection: detectionReport("monitor", 0.5, 0.5, 1, 0.7),
      detection_oof: detectionReport("out-of-fold", 0.6, 0.04, 0.96, 0.85),
    };
    const rule = detectionRuleFromMetrics(card)!;
    expect(rule).toMatchObject({ threshold: 0.6, minArea: 0.04, source: "out-of-fold" });
    expect(inputSizeFromMetrics(card)).toBe(64);
    expect(detectionRuleFromMetrics({ final: {} })).toBeNull();
    const speck = new Float32Array(100);
    speck[55] = 0.99;
    const d = detect(speck, 0.5, rule);
    expect(d.positive).toBe(true); // the paper's rule: one pixel suffices
    expect(d.calibrated!.positive).toBe(false); // 1% of the image < 4%
    const blob = new Float32Array(100).fill(0.8);
    expect(detect(blob, 0.5, rule).calibrated!.positive).toBe(true);
  });
});

describe("tandem weights", () => {
  it("imports a CheXNet file with its SHA-256, verifies it, and refuses a damaged torchvision file", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "weights-"));
    const src = path.join(dir, "chexnet.safetensors");
    writeFileSync(src, Buffer.from("not really tensors, but bytes with a hash"));
    const store = path.join(dir, "store");
    const w = await importWeights(src, { dir: store, kind: "CheXNet DenseNet-121" });
    expect(w).toMatchObject({ name: "chexnet.safetensors", status: "ok", kind: "CheXNet DenseNet-121" });
    expect(JSON.parse(readFileSync(path.join(store, MANIFEST), "utf8"))["chexnet.safetensors"].sha256).toBe(w.sha256);
    writeFileSync(path.join(store, "chexnet.safetensors"), "tampered");
    expect((await listWeights(store))[0].status).toBe("mismatch");
    const fake = path.join(dir, "densenet121-a639ec97.pth");
    writeFileSync(fake, "not the torchvision file");
    await expect(importWeights(fake, { dir: store })).rejects.toThrow(/does not match the torchvision file name/);
    await expect(importWeights(src, { dir: store, expectSha256: "00".repeat(32) })).rejects.toThrow(/not the expected/);
  });
});

describe("a segmentation run's spec", () => {
  it("passes the loss settings a project gives and leaves the preset's otherwise", async () => {
    const { segmentationSpec } = await import("../../../workers/handlers/train");
    const sample = { id: "a", image: "a.png", mask: "a.png", label: "covid" as const, patient: null };
    const base = trainConfigSchema.parse(presetTrainConfig("cpu-small"));
    const plain = segmentationSpec(base, "unet", "tiny", 0, [sample], []);
    expect(plain).not.toHaveProperty("focal_alpha");
    expect(plain).not.toHaveProperty("presence_weight");
    expect(plain).not.toHaveProperty("shift_tta");
    expect(plain).not.toHaveProperty("monitor_fraction");
    const demo = segmentationSpec(trainConfigSchema.parse(demoTraining), "unet", "tiny", 0, [sample], []);
    expect(demo).toMatchObject({
      focal_alpha: demoTraining.focalAlpha,
      presence_weight: 0,
      shift_tta: true,
      monitor_fraction: 0,
      preset: "cpu-small",
    });
    expect(() => trainConfigSchema.parse({ ...base, focalAlpha: 0 })).toThrow();
    expect(() => trainConfigSchema.parse({ ...base, presenceWeight: -1 })).toThrow();
    expect(() => trainConfigSchema.parse({ ...base, shiftTta: "yes" })).toThrow();
    expect(() => trainConfigSchema.parse({ ...base, monitorFraction: 0.6 })).toThrow();
  });
});
