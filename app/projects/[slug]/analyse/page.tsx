import Link from "next/link";
import { requirePageUser } from "@/app/_lib/session";
import { legendStops } from "@/lib/ml/legend-stops";
import { modelLabel } from "@/lib/ml/model-label";
import { ANALYSE_ROLES, analysableRuns } from "@/lib/ml/queries";
import { DEFAULT_THRESHOLD } from "@/lib/ml/threshold";
import { loadProject } from "@/app/_lib/load-project";
import { AnalyseForm } from "./analyse-form";

export const dynamic = "force-dynamic";

export default async function AnalysePage({ params }: { params: Promise<{ slug: string }> }) {
  const user = await requirePageUser();
  const { slug } = await params;
  const { project } = await loadProject(user, slug, ANALYSE_ROLES);
  const runs = await analysableRuns(user, project.id);
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline gap-3">
        <h1 className="text-xl font-semibold">{project.name} · analyse a CXR</h1>
        <Link className="text-sm text-accent hover:underline" href={`/projects/${slug}/runs`}>
          Models and evaluation
        </Link>
      </div>
      <p className="text-sm text-muted">
        Upload one chest X-ray (PNG, JPEG or DICOM) to see the infection map and the COVID-19 detection of the
        project&apos;s trained models. Nothing from the upload is stored; only the analysis itself is written to the
        audit log.
      </p>
      <AnalyseForm
        projectId={project.id}
        models={runs.map((r) => ({ id: r.id, label: modelLabel(r), task: r.task }))}
        defaultThreshold={DEFAULT_THRESHOLD}
        legend={legendStops()}
      />
    </div>
  );
}
