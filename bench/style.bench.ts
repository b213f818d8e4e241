// Style blinding: on a simulated project, can a classifier tell the hand-drawn candidate from
// the machine ones by their shape (boundary roughness, perimeter/area, parts, holes, contour
// vertex statistics)? Reports its cross-validated AUC on the masks as drawn/predicted and on
// their style-normalised renderings (what voters see), plus the served PNG byte sizes.
import { styleClassifierAuc, styleFeatures, auc } from "../lib/voting/style-audit";
import { normaliseMaskStyle } from "../lib/voting/style";
import { fixedSizeMaskPng } from "../lib/voting/render";
import { encodeMaskPng } from "../lib/masks/png-codec";
import { simulateStyleProject } from "../lib/simulate/style-project";

type Row = { name: string; value: number; unit: string; note?: string };

const IMAGES = Number(process.env.BENCH_STYLE_IMAGES ?? 150);

export async function run(): Promise<Row[]> {
  const t0 = performance.now();
  const project = simulateStyleProject(IMAGES, 192, 7);
  const raw: { features: number[]; human: boolean; group: number }[] = [];
  const norm: typeof raw = [];
  const sizes = {
    rawHuman: [] as number[],
    rawMachine: [] as number[],
    servedHuman: [] as number[],
    servedMachine: [] as number[],
  };
  const dices: number[] = [];
  for (const img of project) {
    for (const c of img.candidates) {
      raw.push({ features: styleFeatures(c.mask, img.width, img.height), human: c.human, group: c.image });
      const n = normaliseMaskStyle(c.mask, img.width, img.height);
      dices.push(n.dice);
      norm.push({ features: styleFeatures(n.mask, img.width, img.height), human: c.human, group: c.image });
      (c.human ? sizes.rawHuman : sizes.rawMachine).push(encodeMaskPng(c.mask, img.width, img.height).length);
      (c.human ? sizes.servedHuman : sizes.servedMachine).push(fixedSizeMaskPng(n.mask, img.width, img.height).length);
    }
  }
  const before = styleClassifierAuc(raw);
  const after = styleClassifierAuc(norm);
  const ci = (r: { auc: number; se: number }) =>
    `95% CI ${(r.auc - 1.96 * r.se).toFixed(2)}–${(r.auc + 1.96 * r.se).toFixed(2)}`;
  const meanDice = dices.reduce((s, d) => s + d, 0) / dices.length;
  const note = `${IMAGES} simulated COVID-19 images, 1 drawn + 2 predicted masks each (${raw.length} masks), logistic regression, 5-fold CV by image; ${((performance.now() - t0) / 1000).toFixed(0)} s`;
  return [
    { name: "human-vs-machine AUC, as drawn", value: before.auc, unit: "", note: `${ci(before)}; ${note}` },
    { name: "human-vs-machine AUC, normalised", value: after.auc, unit: "", note: `${ci(after)}; target ≤ 0.60` },
    {
      name: "PNG size AUC, canonical encoding",
      value: auc(sizes.rawHuman, sizes.rawMachine),
      unit: "",
      note: "size of the stored PNG (0.5 = no signal)",
    },
    {
      name: "PNG size AUC, as served",
      value: auc(sizes.servedHuman, sizes.servedMachine),
      unit: "",
      note: "fixed-size container: target 0.50",
    },
    { name: "mean Dice original vs normalised", value: meanDice, unit: "" },
  ];
}
