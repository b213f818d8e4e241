import { levels } from "./run-metrics";
import { scoreNames, type NetworkReport, type ReportRow } from "./evaluation-report";

// Spreadsheet-safe cells: quoted when needed, and text that a spreadsheet would run as a
// formula is prefixed with an apostrophe.
function cell(v: string | number | null | undefined): string {
  if (v === null || v === undefined || (typeof v === "number" && !Number.isFinite(v))) return "";
  if (typeof v === "number") return String(v);
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const line = (cells: (string | number | null | undefined)[]) => cells.map(cell).join(",");

/** One line per network, level and row (folds, pooled, mean, sd): values with their 95% half-widths. */
export function metricsCsv(report: readonly NetworkReport[]): string {
  const header = [
    "network",
    "level",
    "row",
    "n",
    "tp",
    "fp",
    "tn",
    "fn",
    ...scoreNames.flatMap((s) => [s, `${s}_ci95`]),
    "pr_auc",
  ];
  const out = [line(header)];
  const row = (network: string, level: string, r: ReportRow) =>
    line([
      network,
      level,
      r.label,
      r.n,
      r.confusion.tp,
      r.confusion.fp,
      r.confusion.tn,
      r.confusion.fn,
      ...scoreNames.flatMap((s) => [r.scores[s].value, r.scores[s].ci]),
      r.prAuc,
    ]);
  for (const net of report) {
    for (const level of levels) {
      const l = net.levels[level];
      for (const r of l.rows) out.push(row(net.network, level, r));
      if (l.pooled) out.push(row(net.network, level, l.pooled));
      if (l.rows.length > 1) {
        out.push(
          line([
            net.network,
            level,
            "mean",
            null,
            null,
            null,
            null,
            null,
            ...scoreNames.flatMap((s) => [l.mean[s].mean, null]),
            null,
          ]),
        );
        out.push(
          line([
            net.network,
            level,
            "sd",
            null,
            null,
            null,
            null,
            null,
            ...scoreNames.flatMap((s) => [l.mean[s].sd, null]),
            null,
          ]),
        );
      }
    }
  }
  return out.join("\r\n") + "\r\n";
}

/** ROC and precision–recall points: one line per network, level, row and threshold. */
export function curvesCsv(report: readonly NetworkReport[]): string {
  const out = [line(["network", "level", "row", "threshold", "tpr", "fpr", "precision"])];
  for (const net of report) {
    for (const level of levels) {
      const l = net.levels[level];
      for (const r of [...l.rows, ...(l.pooled ? [l.pooled] : [])]) {
        const c = r.curves;
        if (!c) continue;
        c.thresholds.forEach((t, i) =>
          out.push(line([net.network, level, r.label, t, c.tpr?.[i], c.fpr?.[i], c.precision[i]])),
        );
      }
    }
  }
  return out.join("\r\n") + "\r\n";
}
