import Link from "next/link";
import { requirePageUser } from "@/app/_lib/session";
import { Badge, Card, ReportCell, TableHead } from "@/app/_components/ui";
import { EVALUATION_ROLES, projectRuns } from "@/lib/ml/queries";
import { loadProject } from "@/app/_lib/load-project";
import { foldNumber } from "@/lib/ml/fold";
import { classifierArchs } from "@/lib/ml/networks";
import { classifierPresets } from "@/lib/ml/presets";
import { isClassifierConfig } from "@/lib/protocol/types";
import { ClassifierTrainingForm } from "./classifier-training-form";
import { PrecisionForm } from "./precision-form";

export const dynamic = "force-dynamic";

/** An int8 model's measured agreement with its float model, as the runs table shows it. */
function int8Label(int8: unknown): string {
  const a = (int8 as { agreement?: { pixelAgreement: number; meanDice: number; images: number } | null } | null)
    ?.agreement;
  if (!int8) return "—";
  if (!a) return "quantised";
  return `${(100 * a.pixelAgreement).toFixed(2)}% of pixels, mean Dice ${a.meanDice.toFixed(3)} (${a.images} images)`;
}

const tone = (s: string) =>
  (s === "SUCCEEDED" ? "ok" : s === "FAILED" ? "bad" : s === "RUNNING" ? "warn" : "default") as
    | "ok"
    | "bad"
    | "warn"
    | "default";

export default async function RunsPage({ params }: { params: Promise<{ slug: string }> }) {
  const user = await requirePageUser();
  const { slug } = await params;
  const { project, roles } = await loadProject(user, slug, EVALUATION_ROLES);
  const runs = await projectRuns(user, project.id);
  const rounds = new Map<string, typeof runs>();
  for (const r of runs) {
    const k = r.round
      ? `${r.round.stage}:${r.round.number}`
      : isClassifierConfig(r.config)
        ? `classifier:${r.config.group}`
        : "none";
    rounds.set(k, [...(rounds.get(k) ?? []), r]);
  }
  const stages = [...new Set(runs.map((r) => r.round?.stage).filter((s): s is "STAGE_I" | "STAGE_II" => !!s))];
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">{project.name} · models and evaluation</h1>
        <Link className="text-sm text-accent hover:underline" href={`/projects/${slug}/analyse`}>
          Analyse a CXR
        </Link>
        <Link className="text-sm text-accent hover:underline" href={`/projects/${slug}/runs/combined`}>
          Combined report (classifiers and segmentation-based detection)
        </Link>
      </div>
      {roles.includes("LEAD") ? (
        <Card title="Train a classifier">
          <ClassifierTrainingForm
            projectId={project.id}
            classifiers={classifierArchs}
            presets={classifierPresets}
            folds={project.folds}
          />
        </Card>
      ) : null}
      {roles.includes("LEAD") ? (
        <Card title="Prediction precision">
          <PrecisionForm projectId={project.id} current={project.inferencePrecision} />
        </Card>
      ) : null}
      {stages.length ? (
        <nav className="flex gap-3 text-sm" aria-label="Stage reports">
          {stages.map((s) => (
            <Link
              key={s}
              className="text-accent hover:underline"
              href={`/projects/${slug}/runs/stage/${s === "STAGE_I" ? "stage-1" : "stage-2"}`}
            >
              {s === "STAGE_I" ? "Stage I report" : "Stage II report"}
            </Link>
          ))}
        </nav>
      ) : null}
      {runs.length === 0 ? <p className="text-sm text-muted">No training runs yet.</p> : null}
      {[...rounds.entries()].map(([k, group]) => {
        const round = group[0].round;
        const cls = isClassifierConfig(group[0].config) ? group[0].config : null;
        return (
          <Card
            key={k}
            title={
              round
                ? `${round.stage === "STAGE_I" ? "Stage I" : "Stage II"} · round ${round.number} · ${round.status.toLowerCase()}`
                : cls
                  ? `Classifier · ${group[0].arch} · ${cls.preset} · ${cls.folds} folds`
                  : "Runs without a round"
            }
          >
            {round ? (
              <Link
                className="mb-2 inline-block text-sm text-accent hover:underline"
                href={`/projects/${slug}/runs/stage/${round.stage === "STAGE_I" ? "stage-1" : "stage-2"}?round=${group[0].roundId}`}
              >
                Round report
              </Link>
            ) : null}
            <table className="w-full text-left text-sm" data-testid="runs-table">
              <TableHead columns={["Network", "Fold", "Status", "Parameters", "Finished", "int8 vs float", ""]} />
              <tbody>
                {group.map((r) => (
                  <tr key={r.id} className="border-t border-line">
                    <td className="py-1">{cls ? `${r.arch} (classifier)` : `${r.arch}/${r.encoder}`}</td>
                    <td>{foldNumber(r.fold) ?? "—"}</td>
                    <td>
                      <Badge tone={tone(r.status)}>{r.status.toLowerCase()}</Badge>
                    </td>
                    <td className="tabular-nums">{r.paramCount?.toLocaleString("en-US") ?? "—"}</td>
                    <td className="text-muted">{r.finishedAt?.toISOString().slice(0, 16).replace("T", " ") ?? "—"}</td>
                    <td className="text-muted" data-testid="int8-agreement">
                      {int8Label(r.int8)}
                    </td>
                    <ReportCell href={r.status === "SUCCEEDED" ? `/projects/${slug}/runs/${r.id}` : null} />
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        );
      })}
      {roles.includes("LEAD") ? null : (
        <p className="text-xs text-muted">Per-image predictions are shown to leads only.</p>
      )}
    </div>
  );
}
