import type { ReportRow } from "@/lib/ml/evaluation-report";
import { LineChart, type Series } from "./line-chart";
import { num } from "./format";

const PALETTE = [
  "#5aa9e6",
  "#e6a15a",
  "#7fcf8f",
  "#d98fd9",
  "#e6e65a",
  "#5ae6d8",
  "#e66f5a",
  "#a0a0ff",
  "#c0c0a0",
  "#ff9ec4",
];

function rocPoints(r: ReportRow): [number, number][] {
  const c = r.curves;
  if (!c?.tpr || !c.fpr) return [];
  const pts: [number, number][] = [[1, 1]];
  c.thresholds.forEach((_, i) => {
    const x = c.fpr![i],
      y = c.tpr![i];
    if (x !== null && y !== null) pts.push([x, y]);
  });
  pts.push([0, 0]);
  return pts.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

function prPoints(r: ReportRow): [number, number][] {
  const c = r.curves;
  if (!c?.tpr) return [];
  const pts: [number, number][] = [];
  c.thresholds.forEach((_, i) => {
    const x = c.tpr![i],
      y = c.precision[i];
    if (x !== null && y !== null) pts.push([x, y]);
  });
  return pts.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
}

function series(
  rows: ReportRow[],
  pooled: ReportRow | null,
  points: (r: ReportRow) => [number, number][],
  area: (r: ReportRow) => number | null,
): Series[] {
  const out: Series[] = rows.map((r, i) => ({
    label: `${r.label} (${num(area(r), 3)})`,
    points: points(r),
    color: PALETTE[i % PALETTE.length],
  }));
  if (pooled)
    out.push({
      label: `pooled (mean area ${num(area(pooled), 3)})`,
      points: points(pooled),
      color: "#ffffff",
      emphasis: true,
    });
  return out.filter((s) => s.points.length > 1);
}

/** ROC and precision–recall curves of a report level, per fold and pooled. */
export function CurveCharts({ rows, pooled, what }: { rows: ReportRow[]; pooled: ReportRow | null; what: string }) {
  const roc = series(rows, pooled, rocPoints, (r) => r.scores.auc.value);
  const pr = series(rows, pooled, prPoints, (r) => r.prAuc);
  if (!roc.length && !pr.length) return <p className="text-sm text-muted">No curve points were recorded.</p>;
  return (
    <div className="grid gap-4 md:grid-cols-2">
      <LineChart
        title={`ROC · ${what}`}
        xLabel="False positive rate (1 − specificity)"
        yLabel="True positive rate (sensitivity)"
        series={roc}
        diagonal
      />
      <LineChart title={`Precision–recall · ${what}`} xLabel="Recall (sensitivity)" yLabel="Precision" series={pr} />
    </div>
  );
}
