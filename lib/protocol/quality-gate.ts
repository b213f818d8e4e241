// The quality gate (PROTOCOL.md, "Blind by content"): what a failing model is and what the lead is told.
// Its reads are in queries.ts (gateFailures, qualityGateStatus), the override in mutations/quality-gate.ts.
/** A model (architecture + encoder) of the round, its held-out pixel F1 pooled over its folds. */
export type GateFailure = { arch: string; encoder: string; folds: number; f1: number; runIds: string[] };

type FoldScore = {
  runId: string;
  arch: string;
  encoder: string;
  f1: number | null;
  tp?: number;
  fp?: number;
  fn?: number;
};

/**
 * Pools each model's folds: F1 from the summed pixel confusion counts (every held-out pixel
 * weighs the same), or the mean of the folds' F1 when a fold lacks its counts. Folds without a
 * held-out score (Stage II trains on everything) are not judged.
 */
export function failingModels(folds: FoldScore[], threshold: number): GateFailure[] {
  const byModel = new Map<string, FoldScore[]>();
  for (const f of folds)
    if (f.f1 !== null) byModel.set(`${f.arch}/${f.encoder}`, [...(byModel.get(`${f.arch}/${f.encoder}`) ?? []), f]);
  const out: GateFailure[] = [];
  for (const runs of byModel.values()) {
    const counted = runs.every((r) => r.tp !== undefined && r.fp !== undefined && r.fn !== undefined);
    const tp = runs.reduce((s, r) => s + (r.tp ?? 0), 0);
    const wrong = runs.reduce((s, r) => s + (r.fp ?? 0) + (r.fn ?? 0), 0);
    const f1 = counted
      ? tp + wrong > 0
        ? (2 * tp) / (2 * tp + wrong)
        : 0
      : runs.reduce((s, r) => s + r.f1!, 0) / runs.length;
    if (f1 < threshold)
      out.push({
        arch: runs[0].arch,
        encoder: runs[0].encoder,
        folds: runs.length,
        f1,
        runIds: runs.map((r) => r.runId),
      });
  }
  return out;
}

export const GATE_ADVICE =
  "Models below the quality gate would put poor candidates to the vote. Add Stage-I masks (a larger subset), choose a bigger network preset or more epochs and retrain — or, as lead, open the vote anyway (recorded in the audit log).";
