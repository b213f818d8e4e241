import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/app/_lib/session";
import { ReportView } from "@/app/_components/evaluation/report-view";
import { EVALUATION_ROLES } from "@/lib/ml/queries";
import { stageReport, type StageName } from "@/lib/ml/reports";
import { loadProject } from "@/app/_lib/load-project";

export const dynamic = "force-dynamic";
const STAGES: Record<string, StageName> = { "stage-1": "STAGE_I", "stage-2": "STAGE_II" };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function StageReportPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string; stage: string }>;
  searchParams: Promise<{ round?: string }>;
}) {
  const user = await requirePageUser();
  const { slug, stage } = await params;
  const { round } = await searchParams;
  const stageName = STAGES[stage];
  if (!stageName || (round !== undefined && !UUID.test(round))) notFound();
  const { project } = await loadProject(user, slug, EVALUATION_ROLES);
  const report = await stageReport(user, project.id, stageName, round);
  const csv = (part: string) =>
    `/api/runs/stage-report?projectId=${project.id}&stage=${stageName}${round ? `&roundId=${round}` : ""}&format=csv&part=${part}`;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline gap-3">
        <h1 className="text-xl font-semibold">
          {project.name} · {report.title} evaluation
        </h1>
        <Link className="text-sm text-accent hover:underline" href={`/projects/${slug}/runs`}>
          All runs
        </Link>
      </div>
      <p className="text-sm text-muted">
        Held-out evaluation of every trained run (
        {stageName === "STAGE_I"
          ? "one row per fold, as in the paper's Tables 2 and 3"
          : "one row per round, as in the paper's Table 6"}
        ), with confusion matrices (Tables 4 and 7) and ROC and precision–recall curves.
      </p>
      <ReportView report={report} csvHref={csv} />
    </div>
  );
}
