import { writeFile } from "node:fs/promises";
import type { ClassifierFolderEvaluation } from "../../lib/ml/evaluate-classifier-folder";
import type { Rate } from "../../lib/ml/classification-evaluation";

const p1 = (v: number | null) => (v === null || !Number.isFinite(v) ? "—" : (100 * v).toFixed(1));
const iv = (i: [number, number] | null) => (i ? `[${p1(i[0])}, ${p1(i[1])}]` : "—");
const f3 = (v: number | null) => (v === null || !Number.isFinite(v) ? "—" : v.toFixed(3));
const rate = (r: Rate) => `${p1(r.value).padStart(5)} ${iv(r.paper).padStart(14)} ${iv(r.boot).padStart(14)}`;

/** Deep-COVID's report: AUCs, the threshold table (paper's interval, bootstrap), CAM agreement. */
export function classifierText(r: ClassifierFolderEvaluation, size: number): string {
  const e = r.evaluation;
  const lines = [
    `${e.n} images (${e.positives} COVID-19, ${e.negatives} controls) at ${size}×${size}; ${r.msPerImage.toFixed(1)} ms/image (${r.inferenceMsPerImage.toFixed(1)} ms inference)`,
    `ROC AUC ${f3(e.rocAuc.value)} bootstrap ${e.rocAuc.boot ? `[${f3(e.rocAuc.boot[0])}, ${f3(e.rocAuc.boot[1])}]` : "—"} (Hanley–McNeil ${e.rocAuc.hanleyMcNeil ? `[${f3(e.rocAuc.hanleyMcNeil[0])}, ${f3(e.rocAuc.hanleyMcNeil[1])}]` : "—"}); PR AUC (AP) ${f3(e.averagePrecision.value)}`,
    "",
    "threshold   sensitivity % (paper CI)  [bootstrap]   specificity % (paper CI)  [bootstrap]     TP    FN    TN    FP",
    ...e.table.map(
      (t) =>
        `  ${t.threshold.toFixed(1)}       ${rate(t.sensitivity)}   ${rate(t.specificity)}  ${[t.confusion.tp, t.confusion.fn, t.confusion.tn, t.confusion.fp].map((v) => String(v).padStart(5)).join(" ")}`,
    ),
    "",
    r.agreement.n
      ? `CAM vs infection masks over ${r.agreement.n} COVID-19 images: ${p1(r.agreement.energyInside)}% of the map's energy inside the mask; pointing game ${p1(r.agreement.pointing)}%`
      : "CAM vs infection masks: no COVID-19 image with a mask",
  ];
  return lines.join("\n");
}

export async function writeClassifierCsv(file: string, r: ClassifierFolderEvaluation): Promise<void> {
  const rows = [
    "id,label,prob,cam_energy_inside,cam_pointing",
    ...r.perImage.map((p) =>
      [
        /[",\n]/.test(p.id) ? `"${p.id.replace(/"/g, '""')}"` : p.id,
        p.label ? "covid" : "control",
        p.prob.toFixed(6),
        p.energyInside?.toFixed(6) ?? "",
        p.pointing ?? "",
      ].join(","),
    ),
  ];
  await writeFile(file, rows.join("\n") + "\n");
}
