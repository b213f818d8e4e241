import { levels, type Level } from "@/lib/ml/run-metrics";
import type { EvaluationReportResult } from "@/lib/ml/reports";
import { Card } from "../ui";
import { ConfusionMatrix } from "./confusion-matrix";
import { CurveCharts } from "./curve-charts";
import { MetricsTable } from "./metrics-table";

const levelText: Record<Level, { title: string; positive: string; negative: string }> = {
  pixel: { title: "Segmentation (pixel level)", positive: "infected", negative: "not infected" },
  image: {
    title: "COVID-19 detection (image level: positive when any pixel ≥ 0.5)",
    positive: "COVID-19",
    negative: "control",
  },
};

/** A whole evaluation report: tables, confusion matrices and curves per network and level, plus CSV links. */
export function ReportView({
  report,
  csvHref,
}: {
  report: EvaluationReportResult;
  csvHref: (part: "metrics" | "curves") => string;
}) {
  return (
    <div className="space-y-4" data-testid="evaluation-report">
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <a className="text-accent hover:underline" href={csvHref("metrics")} download>
          Download metrics (CSV)
        </a>
        <a className="text-accent hover:underline" href={csvHref("curves")} download>
          Download curves (CSV)
        </a>
      </div>
      {report.networks.length === 0 ? (
        <p className="text-sm text-muted">No trained runs with a held-out evaluation yet.</p>
      ) : null}
      {report.networks.map((net) => (
        <Card key={net.network} title={net.network}>
          {net.missing.length ? (
            <p className="mb-2 text-xs text-warn">Without evaluation: {net.missing.join(", ")}</p>
          ) : null}
          <div className="space-y-6">
            {levels.map((level) => {
              const l = net.levels[level];
              const t = levelText[level];
              if (!l.rows.length) return null;
              const matrices = l.pooled ? [...l.rows, l.pooled] : l.rows;
              return (
                <section key={level} className="space-y-3" data-testid={`level-${level}`}>
                  <h3 className="text-sm font-semibold">{t.title}</h3>
                  <MetricsTable
                    level={l}
                    caption="Value ± 95% interval (eq. 13; Hanley–McNeil for the AUC); the pooled row sums the folds' confusion matrices."
                  />
                  <div className="flex flex-wrap gap-4">
                    {matrices.map((r) => (
                      <ConfusionMatrix
                        key={r.label}
                        title={r.label}
                        c={r.confusion}
                        positive={t.positive}
                        negative={t.negative}
                      />
                    ))}
                  </div>
                  <CurveCharts rows={l.rows} pooled={l.pooled} what={level === "pixel" ? "pixels" : "images"} />
                </section>
              );
            })}
          </div>
        </Card>
      ))}
    </div>
  );
}
