import Link from "next/link";
import { requirePageUser } from "@/app/_lib/session";
import { Card } from "@/app/_components/ui";
import { loadProject } from "@/app/_lib/load-project";
import type { Rate } from "@/lib/ml/classification-evaluation";
import { EVALUATION_ROLES } from "@/lib/ml/queries";
import { combinedProjectReport } from "@/lib/ml/reports";

export const dynamic = "force-dynamic";

const pct = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? "—" : (100 * v).toFixed(1);
const iv = (i: [number, number] | null | undefined, scale = 100) =>
  i ? `[${(scale * i[0]).toFixed(scale === 1 ? 3 : 1)}, ${(scale * i[1]).toFixed(scale === 1 ? 3 : 1)}]` : "";
const rate = (r: Rate) => `${pct(r.value)} ${iv(r.paper)} ${iv(r.boot)}`.trim();

/** Segmentation-based detection and each classifier side by side on the same images. */
export default async function CombinedReportPage({ params }: { params: Promise<{ slug: string }> }) {
  const user = await requirePageUser();
  const { slug } = await params;
  const { project } = await loadProject(user, slug, EVALUATION_ROLES);
  const report = await combinedProjectReport(user, project.id);
  const agreementOf = new Map(report.agreement.map((a) => [a.name, a.summary]));
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline gap-3">
        <h1 className="text-xl font-semibold">{project.name} · combined detection report</h1>
        <Link className="text-sm text-accent hover:underline" href={`/projects/${slug}/runs`}>
          All runs
        </Link>
      </div>
      <Card title="COVID-19 detection on the same images">
        {report.comparison ? (
          <div className="space-y-3">
            <p className="text-sm">
              {report.comparison.images} images scored by every method (out-of-fold: each image by a model that did not
              train on it). Classifiers are read at P(COVID-19) ≥ {report.threshold}; segmentation networks by the
              paper&apos;s any-pixel rule and by their calibrated rule. Intervals: the paper&apos;s (r = z·√(p(1−p)/N))
              then the image-level bootstrap, both 95%.
            </p>
            <div className="overflow-x-auto">
              <table className="text-sm tabular-nums" data-testid="combined-table">
                <thead>
                  <tr className="text-left text-muted">
                    <th className="pr-3">Method</th>
                    <th className="pr-3">ROC AUC [bootstrap]</th>
                    <th className="pr-3">Sensitivity % (paper CI) [bootstrap]</th>
                    <th className="pr-3">Specificity % (paper CI) [bootstrap]</th>
                    <th className="pr-3">TP / FN / TN / FP</th>
                    <th>CAM agreement (energy inside mask; pointing game)</th>
                  </tr>
                </thead>
                <tbody>
                  {report.comparison.rows.map((r) => {
                    const a = agreementOf.get(r.name);
                    return (
                      <tr key={r.name} className="border-t border-line" data-testid="combined-row">
                        <td className="pr-3">{r.name}</td>
                        <td className="pr-3">
                          {r.rocAuc ? `${r.rocAuc.value.toFixed(3)} ${iv(r.rocAuc.boot, 1)}` : "—"}
                        </td>
                        <td className="pr-3">{rate(r.sensitivity)}</td>
                        <td className="pr-3">{rate(r.specificity)}</td>
                        <td className="pr-3">
                          {r.confusion.tp} / {r.confusion.fn} / {r.confusion.tn} / {r.confusion.fp}
                        </td>
                        <td>
                          {r.kind === "classifier"
                            ? a
                              ? `${pct(a.energyInside)}%; ${pct(a.pointing)}% (n=${a.n})`
                              : "no accepted masks"
                            : "— (its own map is the infection map)"}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </div>
        ) : (
          <p className="text-sm text-muted" data-testid="combined-empty">
            {report.reason}
          </p>
        )}
        {report.notes.length ? (
          <ul className="mt-2 list-disc pl-5 text-xs text-muted">
            {report.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        ) : null}
      </Card>
    </div>
  );
}
