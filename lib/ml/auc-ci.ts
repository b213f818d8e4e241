import { Z_95 } from "./metrics";

/**
 * 95% interval half-width of a ROC AUC from the Hanley–McNeil (1982) standard error, which
 * needs only the AUC and the numbers of positives and negatives (all metrics.json keeps).
 */
export function aucCiRadius(auc: number, positives: number, negatives: number, z = Z_95): number {
  if (!Number.isFinite(auc) || positives < 1 || negatives < 1) return NaN;
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const variance =
    (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) /
    (positives * negatives);
  return z * Math.sqrt(Math.max(0, variance));
}
