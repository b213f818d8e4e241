import type { ImageScore } from "./classification-evaluation";

// A classifier training's folds pooled into out-of-fold scores: every labelled image was held
// out by exactly one fold run, whose metrics.json holds its probability and, for a COVID-19
// image with an accepted mask, how its CAM agrees with that mask.

export type CamAgreement = { energy_inside: number; pointing: number; mask_fraction: number };
export type OofImage = ImageScore & { runId: string; agreement: CamAgreement | null };
export type FoldRun = { id: string; status: string; metrics: unknown };

type Row = { id?: unknown; label?: unknown; prob?: unknown; agreement?: unknown };

function agreementOf(a: unknown): CamAgreement | null {
  const r = a as Partial<CamAgreement> | null;
  return r && typeof r.energy_inside === "number" && typeof r.pointing === "number"
    ? { energy_inside: r.energy_inside, pointing: r.pointing, mask_fraction: Number(r.mask_fraction ?? 0) }
    : null;
}

/** Out-of-fold scores of the finished folds; `complete` once every fold has succeeded. */
export function pooledOof(runs: readonly FoldRun[]): { images: OofImage[]; complete: boolean; done: number } {
  const images: OofImage[] = [];
  const done = runs.filter((r) => r.status === "SUCCEEDED");
  for (const run of done) {
    const rows = (run.metrics as { val_per_image?: Row[] } | null)?.val_per_image;
    for (const r of Array.isArray(rows) ? rows : []) {
      if (typeof r.id !== "string" || typeof r.prob !== "number") continue;
      images.push({
        id: r.id,
        label: r.label === "covid" ? 1 : 0,
        prob: r.prob,
        runId: run.id,
        agreement: agreementOf(r.agreement),
      });
    }
  }
  return { images, complete: done.length === runs.length && runs.length > 0, done: done.length };
}

/** Mean CAM agreement over the COVID-19 images with an accepted mask (null: none had one). */
export function camAgreementSummary(images: readonly OofImage[]) {
  const rows = images.map((i) => i.agreement).filter((a): a is CamAgreement => !!a);
  if (!rows.length) return null;
  const mean = (f: (a: CamAgreement) => number) => rows.reduce((s, a) => s + f(a), 0) / rows.length;
  return {
    n: rows.length,
    energyInside: mean((a) => a.energy_inside),
    pointing: mean((a) => a.pointing),
    maskFraction: mean((a) => a.mask_fraction),
  };
}

export type ExampleKind = "true positive" | "false positive" | "false negative";

/**
 * Example images for the map grid: the most confident true positives, the controls called
 * COVID-19 with the highest probability, and the most confidently missed COVID-19 images.
 */
export function pickExamples(images: readonly OofImage[], perKind = 2, threshold = 0.5) {
  const byProb = [...images].sort((a, b) => b.prob - a.prob || a.id.localeCompare(b.id));
  const take = (kind: ExampleKind, list: OofImage[]) => list.slice(0, perKind).map((i) => ({ ...i, kind }));
  return [
    ...take(
      "true positive",
      byProb.filter((i) => i.label === 1 && i.prob >= threshold),
    ),
    ...take(
      "false positive",
      byProb.filter((i) => i.label === 0 && i.prob >= threshold),
    ),
    ...take("false negative", byProb.filter((i) => i.label === 1 && i.prob < threshold).reverse()),
  ];
}
