// `npm run bench learning`: what the training presets reach on 2 CPU cores, from the trainer's
// own outputs (cv_metrics.json / holdout_metrics.json), one row per figure:
//   sample-cv   cxr-sample alone, 5-fold CV, cpu-small, per architecture (issue 15: F1 ≥ 0.70, ≤ 20 min each)
//   train-test  trained on cxr-train, tested on cxr-sample, cpu-small (F1 ≥ 0.75, ≤ 20 min)
//   sample-cv-pretrained  sample-cv starting from the train-test model (after train-test in LEARNING_PARTS)
//               or from LEARNING_SAMPLE_WEIGHTS=<best.pt>: small data with weights from a disjoint CXR set
//   train-oof   out-of-fold predictions over cxr-train: calibrated detection (spec ≥ 0.80 at sens ≥ 0.95)
//   demo        the demo's Stage-I settings on its synthetic data (5 folds × 3 architectures)
//   synthetic-oof  calibrated detection on synthetic CXRs (lib/simulate/synthetic-cxr.ts, true masks):
//               LEARNING_SYNTH_COVID / LEARNING_SYNTH_CONTROLS images (default 200 / 100), 5 folds,
//               LEARNING_SYNTH_STEPS per fold (default 300)
// LEARNING_PARTS=sample-cv,demo picks parts; LEARNING_ARCHS=unet,unetpp,dla; LEARNING_DATA=<folder with
// cxr-sample and cxr-train> (default ../shared/data); LEARNING_ENCODER (default: the preset's recommended encoder);
// LEARNING_OOF_STEPS (default: the preset's budget, 1,800 per fold); LEARNING_SET=key=value,key=value
// adds trainer settings to every part but demo (e.g. focal_alpha=0.5,presence_weight=0, the small-data pair).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { demoNetworks, demoTraining, demoVoteImages } from "../lib/demo/training";
import { trainingPreset } from "../lib/ml/presets";
import { runTrainerAttached } from "../workers/trainer-process";
import { encodeMaskPng } from "../lib/masks/png-codec";
import { encodePng } from "../lib/simulate/png";
import { simulateDrawing } from "../lib/simulate/simulated-md";
import { generateCxr } from "../lib/simulate/synthetic-cxr";
import { processCpuSeconds } from "./repeat";

type Row = { name: string; value: number; unit: string; note?: string };
type Rate = { value: number | null; interval: [number, number] | null };
type Metric = { value: number | null; ci: number | null; boot?: [number, number] | null };
type Rule = {
  kind?: "component" | "presence";
  threshold: number;
  min_area: number;
  reached: boolean;
  sensitivity: Rate;
  specificity: Rate;
};
type Detection = {
  source: string;
  paper_rule: { sensitivity: Rate; specificity: Rate };
  calibrated: Rule | null;
  component?: Rule | null;
  presence_rule?: Rule | null;
  nested?: { kind: string; sensitivity: Rate; specificity: Rate; folds: { threshold: number }[] } | null;
};
const ruleText = (c: Rule) =>
  c.kind === "presence"
    ? `presence ≥ ${c.threshold.toFixed(4)}`
    : `region ≥ ${(100 * c.min_area).toFixed(2)}% at p ≥ ${c.threshold}`;
type Pixel = {
  f1: Metric;
  dice: { n: number; mean: number | null; median: number | null; mean_interval: [number, number] | null };
};

const data = path.resolve(process.env.LEARNING_DATA ?? "../shared/data");
const parts = (process.env.LEARNING_PARTS ?? "sample-cv,train-test,train-oof,demo").split(",");
const archs = (process.env.LEARNING_ARCHS ?? "unet").split(",");
const encoder = process.env.LEARNING_ENCODER ?? trainingPreset("cpu-small").recommended_encoder;
const pct = (v: number | null | undefined) => (v === null || v === undefined ? "—" : (100 * v).toFixed(1));
const iv = (i: [number, number] | null | undefined) => (i ? `[${pct(i[0])}, ${pct(i[1])}]` : "");

async function trainer(args: string[]): Promise<void> {
  const code = await runTrainerAttached(args, ["ignore", "ignore", "inherit"]);
  if (code !== 0) throw new Error(`trainer ${args[0]} exited with ${code}`);
}

type Timing = { t0: number; cpu0: number };
const startTiming = (): Timing => ({ t0: Date.now(), cpu0: processCpuSeconds() });

function rows(label: string, pixel: Pixel, detection: Detection | null, timing: Timing): Row[] {
  const minutes = (Date.now() - timing.t0) / 60_000;
  const cpuMinutes = (processCpuSeconds() - timing.cpu0) / 60;
  const out: Row[] = [
    {
      name: `${label}: pooled pixel F1`,
      value: pixel.f1.value ?? NaN,
      unit: "",
      note: `image bootstrap 95% CI ${iv(pixel.f1.boot)}; eq. 13 ± ${pct(pixel.f1.ci)}%`,
    },
    {
      name: `${label}: per-image Dice mean`,
      value: pixel.dice.mean ?? NaN,
      unit: "",
      note: `${pixel.dice.n} COVID-19 images, bootstrap ${iv(pixel.dice.mean_interval)}, median ${pct(pixel.dice.median)}`,
    },
    {
      name: `${label}: minutes`,
      value: minutes,
      unit: "min",
      note: `${cpuMinutes.toFixed(1)} CPU-minutes (trainer and bench); load ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores at the end`,
    },
  ];
  if (detection?.calibrated) {
    const c = detection.calibrated,
      p = detection.paper_rule;
    out.push({
      name: `${label}: detection specificity, calibrated`,
      value: c.specificity.value ?? NaN,
      unit: "",
      note: `at sensitivity ${pct(c.sensitivity.value)} ${iv(c.sensitivity.interval)} (target reached: ${c.reached}); spec ${iv(c.specificity.interval)}; ${ruleText(c)}; ${detection.source}`,
    });
    const n = detection.nested;
    if (n)
      out.push({
        name: `${label}: detection specificity, nested (threshold from the other folds)`,
        value: n.specificity.value ?? NaN,
        unit: "",
        note: `at sensitivity ${pct(n.sensitivity.value)} ${iv(n.sensitivity.interval)}; spec ${iv(n.specificity.interval)}; ${n.kind} thresholds ${n.folds.map((f) => f.threshold.toFixed(3)).join(", ")}`,
      });
    // The rule of the other kind, beside the one the model keeps.
    const k = c.kind === "presence" ? detection.component : detection.presence_rule;
    if (k)
      out.push({
        name: `${label}: detection specificity, ${k.kind ?? "component"} rule`,
        value: k.specificity.value ?? NaN,
        unit: "",
        note: `at sensitivity ${pct(k.sensitivity.value)}; spec ${iv(k.specificity.interval)}; ${ruleText(k)}`,
      });
    out.push({
      name: `${label}: detection specificity, paper rule`,
      value: p.specificity.value ?? NaN,
      unit: "",
      note: `at sensitivity ${pct(p.sensitivity.value)}; spec ${iv(p.specificity.interval)}`,
    });
  }
  return out;
}

async function cv(label: string, folder: string, extra: string[]): Promise<Row[]> {
  const out = mkdtempSync(path.join(os.tmpdir(), "bench-learning-"));
  const timing = startTiming();
  await trainer(["cv", "--data", folder, "--out", out, ...extra]);
  const m = JSON.parse(readFileSync(path.join(out, "cv_metrics.json"), "utf8")) as {
    levels: { pixel: { pooled: Pixel } };
    detection: Detection;
  };
  return rows(label, m.levels.pixel.pooled, m.detection, timing);
}

/** The demo's Stage-I training set: synthetic CXRs with simulated MD drawings, as lib/demo seeds them. */
function writeDemoData(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-demo-"));
  mkdirSync(path.join(dir, "images"));
  mkdirSync(path.join(dir, "masks"));
  return dir;
}

async function fillDemoData(dir: string, covid: number, controls: number) {
  for (let i = 0; i < covid + controls; i++) {
    const label = i < covid ? "covid" : "control";
    const cxr = generateCxr({ seed: 2 * 100_000 + i, width: 256, label, patientId: `P${i}` });
    const drawn = simulateDrawing(
      cxr.mask,
      cxr.width,
      cxr.height,
      { seed: i + 1, bias: 0.2, jitter: 0.6, missRate: 0.15 },
      { imageKey: `demo${i}` },
    );
    writeFileSync(path.join(dir, "images", `demo${i}.png`), await encodePng(cxr.pixels, cxr.width, cxr.height));
    writeFileSync(path.join(dir, "masks", `demo${i}.png`), encodeMaskPng(drawn, cxr.width, cxr.height));
  }
}

export async function run(): Promise<Row[]> {
  const out: Row[] = [];
  const sample = path.join(data, "cxr-sample"),
    train = path.join(data, "cxr-train");
  const extra = (process.env.LEARNING_SET ?? "")
    .split(",")
    .filter(Boolean)
    .flatMap((kv) => ["--set", kv]);
  const preset = ["--preset", "cpu-small", "--encoder", encoder, "--device", "cpu", ...extra];
  const settingsNote = process.env.LEARNING_SET ? ` (${process.env.LEARNING_SET})` : "";
  if (parts.includes("sample-cv")) {
    if (!existsSync(sample)) throw new Error(`${sample} not found (LEARNING_DATA)`);
    for (const arch of archs)
      out.push(
        ...(await cv(`cxr-sample 5-fold CV, ${arch}/${encoder}${settingsNote}`, sample, [
          ...preset,
          "--arch",
          arch,
          "--folds",
          "5",
        ])),
      );
  }
  let cxrModel = process.env.LEARNING_SAMPLE_WEIGHTS;
  if (parts.includes("train-test")) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "bench-learning-"));
    cxrModel ??= path.join(dir, "best.pt");
    const timing = startTiming();
    await trainer(["fit", "--data", train, "--test", sample, "--out", dir, ...preset, "--arch", archs[0]]);
    const m = JSON.parse(readFileSync(path.join(dir, "holdout_metrics.json"), "utf8")) as {
      levels: { pixel: Pixel };
      test_detection: Detection | null;
    };
    out.push(...rows(`cxr-train → cxr-sample, ${archs[0]}/${encoder}`, m.levels.pixel, m.test_detection, timing));
  }
  // A new project's small data, starting from a model trained on another (public) CXR set: the
  // train-test model (cxr-train, no image of cxr-sample) or LEARNING_SAMPLE_WEIGHTS, loaded whole.
  if (parts.includes("sample-cv-pretrained")) {
    if (!cxrModel || !existsSync(cxrModel))
      throw new Error(
        "sample-cv-pretrained needs the train-test part before it in LEARNING_PARTS, or LEARNING_SAMPLE_WEIGHTS=<best.pt>",
      );
    for (const arch of archs)
      out.push(
        ...(await cv(`cxr-sample 5-fold CV from the cxr-train model, ${arch}/${encoder}`, sample, [
          ...preset,
          ...["--arch", arch, "--folds", "5", "--weights", cxrModel],
        ])),
      );
  }
  /** 5-fold out-of-fold predictions over a folder, the first architecture, `steps` per fold (the preset's budget when unset). */
  const oof = (label: string, folder: string, steps: string | undefined) =>
    cv(`${label} 5-fold OOF, ${archs[0]}/${encoder}`, folder, [
      ...preset,
      ...["--arch", archs[0], "--folds", "5", ...(steps ? ["--steps", steps] : [])],
    ]);
  if (parts.includes("train-oof")) out.push(...(await oof("cxr-train", train, process.env.LEARNING_OOF_STEPS)));
  if (parts.includes("synthetic-oof")) {
    const dir = writeDemoData();
    const covid = Number(process.env.LEARNING_SYNTH_COVID ?? 200),
      controls = Number(process.env.LEARNING_SYNTH_CONTROLS ?? 100);
    for (let i = 0; i < covid + controls; i++) {
      const label = i < covid ? "covid" : "control";
      const cxr = generateCxr({ seed: 3 * 100_000 + i, width: 256, label, patientId: `S${i}` });
      writeFileSync(path.join(dir, "images", `syn${i}.png`), await encodePng(cxr.pixels, cxr.width, cxr.height));
      writeFileSync(path.join(dir, "masks", `syn${i}.png`), encodeMaskPng(cxr.mask, cxr.width, cxr.height));
    }
    out.push(...(await oof(`synthetic ${covid}+${controls}`, dir, process.env.LEARNING_SYNTH_STEPS ?? "300")));
  }
  if (parts.includes("demo")) {
    const dir = writeDemoData();
    await fillDemoData(dir, demoVoteImages.stage1Size, 0); // the Stage-I subset holds COVID-19 images only
    const demoEncoder = demoNetworks.stage1Archs?.[0]?.encoder ?? "tiny";
    for (const arch of ["unet", "unetpp", "dla"]) {
      const t = demoTraining;
      out.push(
        ...(await cv(`demo Stage I, ${arch}/${demoEncoder}`, dir, [
          "--preset",
          t.preset,
          "--encoder",
          demoEncoder,
          "--arch",
          arch,
          "--folds",
          "5",
          "--size",
          String(t.size),
          "--steps",
          String(t.steps),
          "--batch-size",
          String(t.batchSize),
          "--width",
          String(t.width),
          "--set",
          `focal_alpha=${t.focalAlpha}`,
          "--set",
          `presence_weight=${t.presenceWeight}`,
          "--set",
          `shift_tta=${t.shiftTta}`,
          "--set",
          `monitor_fraction=${t.monitorFraction}`,
          "--device",
          "cpu",
        ])),
      );
    }
  }
  return out;
}
