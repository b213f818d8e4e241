import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/app/_lib/session";
import { Card } from "@/app/_components/ui";
import { ReportView } from "@/app/_components/evaluation/report-view";
import { ClassifierReport } from "@/app/_components/evaluation/classifier-report";
import { PredictionBrowser } from "@/app/_components/viewer/prediction-browser";
import { isAppError } from "@/lib/errors/app-error";
import { legendStops } from "@/lib/ml/legend-stops";
import { EVALUATION_ROLES, runPredictions } from "@/lib/ml/queries";
import { classifierTrainingReport, runReport } from "@/lib/ml/reports";
import { CamAgreement, ClassifierExamples } from "@/app/_components/evaluation/classifier-examples";
import { loadProject } from "@/app/_lib/load-project";

export const dynamic = "force-dynamic";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function RunReportPage({ params }: { params: Promise<{ slug: string; runId: string }> }) {
  const user = await requirePageUser();
  const { slug, runId } = await params;
  const { project, roles } = await loadProject(user, slug, EVALUATION_ROLES);
  if (!UUID.test(runId)) notFound();
  const report = await runReport(user, runId).catch((e) =>
    isAppError(e) && (e.code === "NOT_FOUND" || e.code === "FORBIDDEN") ? null : Promise.reject(e),
  );
  if (!report || report.projectId !== project.id) notFound();
  const training = report.classifier !== undefined ? await classifierTrainingReport(user, runId) : null;
  const predictions =
    report.classifier === undefined && (roles.includes("LEAD") || roles.includes("ADMIN"))
      ? await runPredictions(user, runId)
      : null;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline gap-3">
        <h1 className="text-xl font-semibold">Run {report.title}</h1>
        <Link className="text-sm text-accent hover:underline" href={`/projects/${slug}/runs`}>
          All runs
        </Link>
      </div>
      {report.classifier !== undefined ? (
        <>
          {report.classifier ? (
            <ClassifierReport ev={report.classifier} title="COVID-19 vs control, this fold's held-out images" />
          ) : null}
          {training ? (
            <>
              {training.evaluation ? (
                <ClassifierReport
                  ev={training.evaluation}
                  title={`Cross-validation: ${training.arch}, all ${training.folds} folds out-of-fold (${training.preset})`}
                />
              ) : (
                <p className="text-sm text-muted" data-testid="classifier-folds-pending">
                  {training.foldsDone} of {training.folds} folds finished; the out-of-fold report appears when all have.
                </p>
              )}
              <CamAgreement summary={training.camAgreement} />
              <ClassifierExamples examples={training.examples} legend={legendStops()} />
            </>
          ) : null}
          <Link className="text-sm text-accent hover:underline" href={`/projects/${slug}/runs/combined`}>
            Combined report: classifiers beside segmentation-based detection
          </Link>
        </>
      ) : (
        <ReportView report={report} csvHref={(part) => `/api/runs/${runId}/report?format=csv&part=${part}`} />
      )}
      {predictions ? (
        <Card title={`Predictions (${predictions.masks.length} of ${predictions.total})`}>
          <PredictionBrowser
            legend={legendStops()}
            items={predictions.masks.map((m) => ({
              maskId: m.id,
              imageId: m.imageId,
              width: m.width,
              height: m.height,
              area: m.area,
              hasProb: !!m.probKey,
            }))}
          />
        </Card>
      ) : null}
    </div>
  );
}
