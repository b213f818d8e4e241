import { readFile } from "node:fs/promises";
import { parseArgs, progressBar } from "../context";
import { aucCiRadius } from "../../lib/ml/auc-ci";
import { evaluateFolder, type FolderEvaluation } from "../../lib/ml/evaluate-folder";
import { metricNames, type Evaluation } from "../../lib/ml/metrics";
import { loadModel } from "../../lib/ml/onnx-model";

export const summary = "evaluate an ONNX model on a folder of images/ and masks/ (segmentation and detection, 95% CIs)";

const USAGE = "usage: tandem evaluate --model <model.onnx> --data <folder with images/ and masks/> [--size 224] [--threshold 0.5] [--batch 8] [--json]";

const f4 = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : "—");

function table(title: string, e: Evaluation): string {
  const c = e.confusion;
  const positives = c.tp + c.fn, negatives = c.tn + c.fp;
  const rows = metricNames.map((name) => [name, `${f4(e.metrics[name].value)} ± ${f4(e.metrics[name].ci)}`, String(e.metrics[name].n)]);
  const auc = e.curves.rocAuc;
  rows.push(["roc auc", `${f4(auc)} ± ${f4(aucCiRadius(auc, positives, negatives))}`, `${positives}+/${negatives}−`]);
  rows.push(["average precision", f4(e.curves.averagePrecision), ""]);
  const w = Math.max(...rows.map((r) => r[1].length));
  return [
    `${title} (threshold ${e.threshold})`,
    ...rows.map(([name, value, n]) => `  ${name.padEnd(18)} ${value.padStart(w)}${n ? `   N=${n}` : ""}`),
    `  confusion          TP ${c.tp}  FN ${c.fn}  FP ${c.fp}  TN ${c.tn}`,
  ].join("\n");
}

function asJson(r: FolderEvaluation) {
  const level = (e: Evaluation) => ({
    threshold: e.threshold,
    confusion: e.confusion,
    metrics: e.metrics,
    rocAuc: e.curves.rocAuc,
    rocAucCi: aucCiRadius(e.curves.rocAuc, e.confusion.tp + e.confusion.fn, e.confusion.tn + e.confusion.fp),
    averagePrecision: e.curves.averagePrecision,
  });
  return { images: r.images, positives: r.positives, size: r.size, pixel: level(r.pixel), image: level(r.image) };
}

/** `tandem evaluate`: the trainer's held-out evaluation, for any exported model and folder. */
export async function run(argv: string[]): Promise<void> {
  const { flags } = parseArgs(argv);
  if (typeof flags.model !== "string" || typeof flags.data !== "string") throw new Error(USAGE);
  const size = Number(flags.size ?? 224);
  const threshold = Number(flags.threshold ?? 0.5);
  const batch = Number(flags.batch ?? 8);
  if (!Number.isInteger(size) || size < 32 || size % 32) throw new Error("--size must be a multiple of 32");
  if (!(threshold > 0 && threshold <= 1)) throw new Error("--threshold must be in (0, 1]");
  if (!Number.isInteger(batch) || batch < 1) throw new Error("--batch must be a positive integer");
  const model = await loadModel(await readFile(flags.model), size);
  const r = await evaluateFolder(model, flags.data, { threshold, batch, onProgress: flags.json ? undefined : progressBar("evaluating") });
  if (flags.json) {
    console.log(JSON.stringify(asJson(r), (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2));
    return;
  }
  console.log(`${r.images} images (${r.positives} with infection, ${r.images - r.positives} controls) at ${r.size}×${r.size}; values ± 95% interval (eq. 13; Hanley–McNeil for the AUC)\n`);
  console.log(table("Segmentation, pixel level", r.pixel));
  console.log();
  console.log(table("COVID-19 detection, image level: positive when any pixel ≥ threshold", r.image));
}
