import { Card } from "@/app/_components/ui";
import { LineChart } from "@/app/_components/charts/line-chart";
import { colors } from "@/app/_components/charts/scale";
import type { ClassifierEvaluation, Rate } from "@/lib/ml/classification-evaluation";

const pct = (v: number | null) => (v === null || !Number.isFinite(v) ? "—" : `${(100 * v).toFixed(1)}`);
const iv = (i: [number, number] | null) => (i ? `[${pct(i[0])}, ${pct(i[1])}]` : "—");
const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : "—");
const cell = (r: Rate) => `${pct(r.value)} ${iv(r.paper)} ${iv(r.boot)}`;

/** Deep-COVID's report of an image-level classifier: AUCs, the threshold table, ROC and PR curves. */
export function ClassifierReport({
  ev,
  title = "COVID-19 vs control, held-out images",
}: {
  ev: ClassifierEvaluation;
  title?: string;
}) {
  const roc = ev.curves.roc.map((p) => ({ x: p.fpr, y: p.tpr }));
  const pr = ev.curves.pr.map((p) => ({ x: p.recall, y: p.precision }));
  return (
    <Card title={title}>
      <div className="space-y-4" data-testid="classifier-report">
        <p className="text-sm">
          {ev.n} images ({ev.positives} COVID-19, {ev.negatives} controls). ROC AUC{" "}
          <strong>{f3(ev.rocAuc.value)}</strong>{" "}
          {ev.rocAuc.boot ? `[${f3(ev.rocAuc.boot[0])}, ${f3(ev.rocAuc.boot[1])}]` : ""} (bootstrap 95% CI); PR AUC{" "}
          {f3(ev.averagePrecision.value)}.
        </p>
        <table className="text-sm tabular-nums" data-testid="threshold-table">
          <thead>
            <tr className="text-left text-muted">
              <th className="pr-3">Threshold</th>
              <th className="pr-3">Sensitivity % (paper CI) [bootstrap]</th>
              <th className="pr-3">Specificity % (paper CI) [bootstrap]</th>
              <th>TP / FN / TN / FP</th>
            </tr>
          </thead>
          <tbody>
            {ev.table.map((t) => (
              <tr key={t.threshold} className="border-t border-line">
                <td className="pr-3">{t.threshold}</td>
                <td className="pr-3">{cell(t.sensitivity)}</td>
                <td className="pr-3">{cell(t.specificity)}</td>
                <td>
                  {t.confusion.tp} / {t.confusion.fn} / {t.confusion.tn} / {t.confusion.fp}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="grid gap-3 md:grid-cols-2">
          <LineChart
            title="ROC curve (x: false-positive rate, y: sensitivity)"
            series={[{ name: "ROC", color: colors.accent, points: roc }]}
            xFormat={(x) => x.toFixed(2)}
            yFormat={(y) => y.toFixed(2)}
          />
          <LineChart
            title="Precision–recall (x: recall, y: precision)"
            series={[{ name: "PR", color: colors.bad, points: pr }]}
            xFormat={(x) => x.toFixed(2)}
            yFormat={(y) => y.toFixed(2)}
          />
        </div>
      </div>
    </Card>
  );
}
