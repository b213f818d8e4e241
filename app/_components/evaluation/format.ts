/** 0.9837 ± 0.0046, as in the paper's tables; an em dash when undefined. */
/** value ± eq. 13 radius, then the image-level bootstrap interval when there is one. */
export function withCi(value: number | null, ci: number | null, digits = 4, boot?: [number, number] | null): string {
  if (value === null || !Number.isFinite(value)) return "—";
  const base =
    ci === null || !Number.isFinite(ci) ? value.toFixed(digits) : `${value.toFixed(digits)} ± ${ci.toFixed(digits)}`;
  return boot ? `${base} [${boot[0].toFixed(digits)}, ${boot[1].toFixed(digits)}]` : base;
}

export function num(v: number | null | undefined, digits = 4): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "—" : v.toFixed(digits);
}

export function count(v: number): string {
  return v.toLocaleString("en-US");
}

export const scoreTitles: Record<string, string> = {
  sensitivity: "Sensitivity",
  specificity: "Specificity",
  precision: "Precision",
  f1: "F1",
  f2: "F2",
  accuracy: "Accuracy",
  auc: "AUC",
};
