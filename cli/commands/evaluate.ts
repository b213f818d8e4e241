import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fromCaller, parseArgs, progressBar } from "../context";
import { aucCiRadius } from "../../lib/ml/auc-ci";
import { evaluateFolder, type FolderEvaluation } from "../../lib/ml/evaluate-folder";
import { bootstrapConfusion, bootstrapMean, wilson, type Interval } from "../../lib/ml/intervals";
import { metricNames, type Evaluation, type MetricName } from "../../lib/ml/metrics";
import { detectionRuleFromMetrics, inputSizeFromMetrics, type DetectionRule } from "../../lib/ml/model-card";
import { loadModel, modelInputSize } from "../../lib/ml/onnx-model";
import { checkClassifierOutputs, loadClassifier } from "../../lib/ml/classifier-model";
import { evaluateClassifierFolder } from "../../lib/ml/evaluate-classifier-folder";
import { runTaskFromMetrics } from "../../lib/ml/run-task";
import { classifierText, writeClassifierCsv } from "./evaluate-classifier";

export const summary =
  "evaluate an ONNX model on a folder of images/ and masks/ (segmentation, per-image Dice, detection with the model's calibrated rule, 95% CIs)";

const USAGE = `usage: tandem evaluate --model <model.onnx> --data <folder with images/ and masks/> [--masks DIR]
       [--card metrics.json] [--threshold 0.5] [--batch 8] [--per-image out.csv] [--json] [--task segment|classify]

  The input size and normalisation come from the model (and its metrics.json beside it, the
  model card, which also holds the calibrated detection rule). Paths are relative to your folder.
  --task: what the model must be (default: the model card's task, else segment); a classifier
  (outputs prob and cam) gets Deep-COVID's threshold table, ROC/PR AUCs and CAM agreement.`;

const f4 = (v: number | null | undefined) => (v !== null && v !== undefined && Number.isFinite(v) ? v.toFixed(4) : "—");
const iv = (i: [number, number] | null | undefined) => (i ? `[${f4(i[0])}, ${f4(i[1])}]` : "");

function table(title: string, e: Evaluation, boot: Record<MetricName, Interval>): string {
  const c = e.confusion;
  const positives = c.tp + c.fn,
    negatives = c.tn + c.fp;
  const rows = metricNames.map((name) => [
    name,
    `${f4(e.metrics[name].value)} ± ${f4(e.metrics[name].ci)}`,
    `${iv(boot[name].interval)} ${boot[name].method ?? ""}`.trim(),
    String(e.metrics[name].n),
  ]);
  const auc = e.curves.rocAuc;
  rows.push([
    "roc auc",
    `${f4(auc)} ± ${f4(aucCiRadius(auc, positives, negatives))}`,
    "",
    `${positives}+/${negatives}−`,
  ]);
  rows.push(["average precision", f4(e.curves.averagePrecision), "", ""]);
  const w = Math.max(...rows.map((r) => r[1].length)),
    w2 = Math.max(...rows.map((r) => r[2].length));
  return [
    `${title} (threshold ${e.threshold})`,
    `  ${"".padEnd(18)} ${"value ± eq. 13".padStart(w)}   ${"image-level 95% CI".padEnd(w2)}`,
    ...rows.map(
      ([name, value, b, n]) => `  ${name.padEnd(18)} ${value.padStart(w)}   ${b.padEnd(w2)}${n ? `   N=${n}` : ""}`,
    ),
    `  confusion          TP ${c.tp}  FN ${c.fn}  FP ${c.fp}  TN ${c.tn}`,
  ].join("\n");
}

export type EvaluateSummary = ReturnType<typeof summarise>;

/** Everything `evaluate` reports beyond the paper's tables: IoU, per-image Dice, both detection rules. */
export function summarise(r: FolderEvaluation) {
  const pixelBoot = bootstrapConfusion(r.perImage.map((p) => p.confusion));
  const labelled = r.perImage.map((p) => ({
    positive: p.positive,
    paper: p.paperPositive,
    calibrated: p.calibratedPositive,
  }));
  const imageCounts = (pick: (x: (typeof labelled)[number]) => boolean) =>
    labelled.map((x) => ({
      tp: +(pick(x) && x.positive),
      fp: +(pick(x) && !x.positive),
      tn: +(!pick(x) && !x.positive),
      fn: +(!pick(x) && x.positive),
    }));
  const imageBoot = bootstrapConfusion(imageCounts((x) => x.paper));
  const c = r.pixel.confusion;
  const iouValue = c.tp + c.fp + c.fn ? c.tp / (c.tp + c.fp + c.fn) : NaN;
  const covid = r.perImage.filter((p) => p.positive);
  const dice = covid.map((p) => p.dice ?? 0);
  const sorted = [...dice].sort((a, b) => a - b);
  const median = sorted.length ? (sorted[(sorted.length - 1) >> 1] + sorted[sorted.length >> 1]) / 2 : NaN;
  const rate = (k: number, n: number) => ({ value: n ? k / n : NaN, k, n, interval: wilson(k, n) });
  const rule = (pick: (x: (typeof labelled)[number]) => boolean) => {
    const pos = labelled.filter((x) => x.positive),
      neg = labelled.filter((x) => !x.positive);
    return {
      sensitivity: rate(pos.filter(pick).length, pos.length),
      specificity: rate(neg.filter((x) => !pick(x)).length, neg.length),
    };
  };
  return {
    pixelBoot,
    imageBoot,
    iou: { value: iouValue, interval: bootstrapIou(r) },
    dice: {
      n: dice.length,
      mean: dice.length ? dice.reduce((a, b) => a + b, 0) / dice.length : NaN,
      median,
      interval: bootstrapMean(dice),
    },
    paperRule: rule((x) => x.paper),
    calibratedRule: r.rule ? { ...r.rule, ...rule((x) => x.calibrated === true) } : null,
    presenceTable: presenceTable(r),
  };
}

const PRESENCE_THRESHOLDS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

/** DeepCovid-style table for the presence probability (models with the head): sensitivity and
 * specificity with Wilson 95% CIs at fixed thresholds and at the calibrated rule's. */
function presenceTable(r: FolderEvaluation) {
  if (!r.perImage.length || r.perImage.some((p) => p.presence === null)) return null;
  const extra = r.rule?.kind === "presence" ? [r.rule.threshold] : [];
  const thresholds = [...new Set([...PRESENCE_THRESHOLDS, ...extra])].sort((a, b) => a - b);
  const pos = r.perImage.filter((p) => p.positive),
    neg = r.perImage.filter((p) => !p.positive);
  const rate = (k: number, n: number) => ({ value: n ? k / n : NaN, k, n, interval: wilson(k, n) });
  return thresholds.map((t) => ({
    threshold: t,
    sensitivity: rate(pos.filter((p) => p.presence! >= t).length, pos.length),
    specificity: rate(neg.filter((p) => p.presence! < t).length, neg.length),
  }));
}

function bootstrapIou(r: FolderEvaluation): [number, number] | null {
  // IoU = F1 / (2 − F1) is monotone in F1, so its interval maps from F1's.
  const f1 = bootstrapConfusion(r.perImage.map((p) => p.confusion)).f1.interval;
  return f1 ? [f1[0] / (2 - f1[0]), f1[1] / (2 - f1[1])] : null;
}

function asJson(r: FolderEvaluation, s: EvaluateSummary) {
  const level = (e: Evaluation, boot: Record<MetricName, Interval>) => ({
    threshold: e.threshold,
    confusion: e.confusion,
    metrics: e.metrics,
    bootstrap: boot,
    rocAuc: e.curves.rocAuc,
    rocAucCi: aucCiRadius(e.curves.rocAuc, e.confusion.tp + e.confusion.fn, e.confusion.tn + e.confusion.fp),
    averagePrecision: e.curves.averagePrecision,
  });
  return {
    images: r.images,
    positives: r.positives,
    size: r.size,
    msPerImage: r.msPerImage,
    inferenceMsPerImage: r.inferenceMsPerImage,
    pixel: level(r.pixel, s.pixelBoot),
    image: level(r.image, s.imageBoot),
    iou: s.iou,
    dice: s.dice,
    detection: { paperRule: s.paperRule, calibratedRule: s.calibratedRule, presenceTable: s.presenceTable },
  };
}

function perImageCsv(r: FolderEvaluation): string {
  const cell = (v: number | boolean | null) =>
    v === null ? "" : typeof v === "boolean" ? String(v) : Number.isFinite(v) ? v.toFixed(6) : "";
  const lines = [
    "id,label,dice,iou,max_prob,presence,paper_positive,calibrated_positive,largest_component,tp,fp,fn,tn",
  ];
  for (const p of r.perImage) {
    const id = /[",\n]/.test(p.id) ? `"${p.id.replace(/"/g, '""')}"` : p.id;
    lines.push(
      [
        id,
        p.positive ? "covid" : "control",
        cell(p.dice),
        cell(p.iou),
        cell(p.maxProb),
        cell(p.presence),
        cell(p.paperPositive),
        cell(p.calibratedPositive),
        cell(p.largestComponent),
        p.confusion.tp,
        p.confusion.fp,
        p.confusion.fn,
        p.confusion.tn,
      ].join(","),
    );
  }
  return lines.join("\n") + "\n";
}

async function readCard(file: string | undefined, modelPath: string): Promise<unknown> {
  const card = file ?? path.join(path.dirname(modelPath), "metrics.json");
  if (!existsSync(card)) {
    if (file) throw new Error(`--card ${file}: no such file`);
    return null;
  }
  return JSON.parse(await readFile(card, "utf8"));
}

const pctRate = (x: { value: number; k: number; n: number; interval: [number, number] | null }) =>
  `${f4(x.value)} (${x.k}/${x.n}) ${iv(x.interval)}`;

/** `tandem evaluate`: the trainer's held-out evaluation, for any exported model and folder. */
export async function run(argv: string[]): Promise<void> {
  const { flags } = parseArgs(argv, {
    values: ["model", "data", "masks", "card", "threshold", "batch", "per-image", "task"],
    booleans: ["json"],
  });
  if (flags.help || typeof flags.model !== "string" || typeof flags.data !== "string") throw new Error(USAGE);
  const modelPath = fromCaller(flags.model);
  const threshold = Number(flags.threshold ?? 0.5);
  const batch = Number(flags.batch ?? 8);
  if (!(threshold > 0 && threshold <= 1)) throw new Error("--threshold must be in (0, 1]");
  if (!Number.isInteger(batch) || batch < 1) throw new Error("--batch must be a positive integer");
  if (!existsSync(modelPath)) throw new Error(`--model ${flags.model}: no such file (${modelPath})`);
  const card = await readCard(typeof flags.card === "string" ? fromCaller(flags.card) : undefined, modelPath);
  const bytes = await readFile(modelPath);
  const probe = await loadModel(bytes, 0);
  if (flags.task !== undefined && flags.task !== "segment" && flags.task !== "classify")
    throw new Error(`--task must be segment or classify, got "${flags.task}"`);
  const task = (flags.task as "segment" | "classify" | undefined) ?? runTaskFromMetrics(card);
  const outputs = probe.session.outputNames;
  if (task === "classify") checkClassifierOutputs(outputs, `--model ${flags.model}`);
  else if (outputs.includes("cam")) {
    throw new Error(
      `--model ${flags.model} is an image-level classifier (outputs ${outputs.join(", ")}), not a segmentation model: pass --task classify for its threshold table and ROC/PR`,
    );
  }
  const size = modelInputSize(probe) ?? inputSizeFromMetrics(card);
  if (!size)
    throw new Error(
      `${flags.model}: the model does not fix its input size and no metrics.json beside it records one (--card metrics.json)`,
    );
  const model = { ...probe, size };
  if (task === "classify") {
    const classifier = await loadClassifier(bytes, size, `--model ${flags.model}`);
    const r = await evaluateClassifierFolder(classifier, fromCaller(flags.data), {
      batch,
      onProgress: flags.json ? undefined : progressBar("evaluating"),
    });
    if (typeof flags["per-image"] === "string") await writeClassifierCsv(fromCaller(flags["per-image"]), r);
    if (flags.json)
      console.log(
        JSON.stringify(
          { task, size, ...r, evaluation: { ...r.evaluation, curves: { ...r.evaluation.curves } } },
          (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v),
          2,
        ),
      );
    else console.log(classifierText(r, size));
    return;
  }
  const rule: DetectionRule | null = detectionRuleFromMetrics(card);
  const r = await evaluateFolder(model, fromCaller(flags.data), {
    threshold,
    batch,
    rule,
    masksDir: typeof flags.masks === "string" ? fromCaller(flags.masks) : undefined,
    onProgress: flags.json ? undefined : progressBar("evaluating"),
  });
  const s = summarise(r);
  if (typeof flags["per-image"] === "string") await writeFile(fromCaller(flags["per-image"]), perImageCsv(r));
  if (flags.json) {
    console.log(JSON.stringify(asJson(r, s), (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2));
    return;
  }
  console.log(
    `${r.images} images (${r.positives} with infection, ${r.images - r.positives} controls) at ${r.size}×${r.size} (the model's input; grayscale [0,1], normalisation inside the model); ${r.msPerImage.toFixed(1)} ms/image (${r.inferenceMsPerImage.toFixed(1)} ms inference)`,
  );
  console.log(
    `values ± eq. 13 radius (pixels as independent, too narrow), then the image-level bootstrap 95% CI (Wilson for 0 or 1); Hanley–McNeil for the AUC\n`,
  );
  console.log(table("Segmentation, pixel level", r.pixel, s.pixelBoot));
  console.log(`  IoU (pooled)       ${f4(s.iou.value)}   ${iv(s.iou.interval)}`);
  console.log(
    `  per-image Dice over ${s.dice.n} COVID-19 images: mean ${f4(s.dice.mean)} ${iv(s.dice.interval)}, median ${f4(s.dice.median)}`,
  );
  console.log();
  console.log(
    table(
      "COVID-19 detection, image level: the paper's rule, positive when any pixel ≥ threshold",
      r.image,
      s.imageBoot,
    ),
  );
  console.log();
  if (s.calibratedRule) {
    const c = s.calibratedRule;
    const what =
      c.kind === "presence"
        ? `the presence probability ≥ ${c.threshold.toFixed(4)}`
        : `a region ≥ ${(100 * c.minArea).toFixed(2)}% of the image at prob ≥ ${c.threshold}`;
    console.log(
      `COVID-19 detection, the model's calibrated rule (${c.source}): ${what}, chosen for sensitivity ≥ ${c.targetSensitivity}`,
    );
    console.log(`  sensitivity ${pctRate(c.sensitivity)}   specificity ${pctRate(c.specificity)}   (Wilson 95% CI)`);
  } else {
    console.log(
      "COVID-19 detection, calibrated rule: none (no metrics.json with a calibrated rule beside the model; --card FILE)",
    );
  }
  if (s.presenceTable) {
    console.log("\nPresence probability threshold table (sensitivity, specificity; Wilson 95% CI)");
    for (const row of s.presenceTable)
      console.log(
        `  ≥ ${row.threshold.toFixed(4).padEnd(8)} ${pctRate(row.sensitivity).padEnd(36)} ${pctRate(row.specificity)}`,
      );
  }
  if (typeof flags["per-image"] === "string")
    console.log(`\nper-image rows written to ${fromCaller(flags["per-image"])}`);
}
