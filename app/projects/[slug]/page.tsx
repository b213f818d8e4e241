import { orNotFound } from "@/app/_lib/or-not-found";
import Link from "next/link";
import { requirePageUser } from "@/app/_lib/session";
import { projectOverview } from "@/lib/projects/queries";
import { trainingPresetLabel } from "@/lib/ml/presets";
import { selectionModeLabels, tieBreakLabels } from "@/lib/projects/enums";
import { projectSimulationRun } from "@/lib/simulate/queries";
import { Badge, Card } from "@/app/_components/ui";

export const dynamic = "force-dynamic";

const stateLabels: [string, string][] = [
  ["UNANNOTATED", "Not started"],
  ["AWAITING_MANUAL", "Awaiting manual mask"],
  ["AWAITING_CANDIDATES", "Awaiting candidates"],
  ["AWAITING_VOTE", "Awaiting vote"],
  ["AWAITING_REDRAW", "Awaiting redraw"],
  ["AWAITING_CONFIRMATION", "Awaiting confirmation"],
  ["DISPUTED", "Disputed"],
  ["ACCEPTED", "Accepted"],
];

function Action({
  href,
  title,
  detail,
  testId,
  fullLoad,
}: {
  href: string;
  title: string;
  detail: string;
  testId: string;
  /** A document load, not a client-side navigation: the page needs its own security policy. */
  fullLoad?: boolean;
}) {
  const body = (
    <>
      <span className="font-medium">{title}</span>
      <span className="mt-1 block text-sm text-muted">{detail}</span>
    </>
  );
  const className = "block rounded-lg border border-line bg-panel p-4 hover:border-accent";
  return fullLoad ? (
    <a href={href} data-testid={testId} className={className}>
      {body}
    </a>
  ) : (
    <Link href={href} data-testid={testId} className={className}>
      {body}
    </Link>
  );
}

export default async function ProjectPage({ params }: { params: Promise<{ slug: string }> }) {
  const user = await requirePageUser();
  const { slug } = await params;
  const o = await orNotFound(projectOverview(user, slug));
  const { project, roles } = o;
  const has = (r: string) => roles.includes(r as never) || roles.includes("ADMIN" as never);
  const accepted = o.counts.ACCEPTED ?? 0;
  const simulation = has("LEAD") ? await projectSimulationRun(user, project.id) : null;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">{project.name}</h1>
        {roles.map((r) => (
          <Badge key={r}>{r}</Badge>
        ))}
        <span className="text-sm text-muted">
          {o.round
            ? `Round ${o.round.number} · ${o.round.stage === "STAGE_I" ? "Stage I" : "Stage II"} · ${o.round.status.toLowerCase()}`
            : "Not started"}
          {project.completedAt ? " · complete" : ""}
        </span>
      </div>
      {project.description ? <p className="text-sm text-muted">{project.description}</p> : null}
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        {has("MD") ? (
          <Action
            testId="action-draw"
            href={`/projects/${slug}/draw`}
            // The drawing page's policy lets its Smart tool compile WebAssembly; a client-side
            // navigation would keep this page's policy, which does not.
            fullLoad
            title="Draw masks"
            detail={`${o.openTasks} image${o.openTasks === 1 ? "" : "s"} to draw`}
          />
        ) : null}
        {has("MD") ? (
          <Action
            testId="action-vote"
            href={`/projects/${slug}/vote`}
            title="Blinded selection"
            detail={`${o.awaitingVote} image${o.awaitingVote === 1 ? "" : "s"} awaiting a vote`}
          />
        ) : null}
        {has("LEAD") ? (
          <Action
            testId="action-dashboard"
            href={`/projects/${slug}/dashboard`}
            title="Dashboard"
            detail="Progress, agreement, models, jobs"
          />
        ) : null}
        {has("LEAD") || has("EXPORTER") ? (
          <Action
            testId="action-export"
            href={`/projects/${slug}/exports`}
            title="Export dataset"
            detail={`${accepted} accepted mask${accepted === 1 ? "" : "s"}`}
          />
        ) : null}
        {has("LEAD") ? (
          <Action
            testId="action-import"
            href={`/projects/${slug}/import`}
            title="Import images"
            detail="PNG, JPEG, DICOM, folders or zip"
          />
        ) : null}
        {has("LEAD") || has("EXPORTER") ? (
          <Action
            testId="action-analyse"
            href={`/projects/${slug}/analyse`}
            title="Analyse a CXR"
            detail="Infection map and detection from a trained model"
          />
        ) : null}
        {simulation ? (
          <Action
            testId="action-simulation"
            href={`/simulations/${simulation.id}`}
            title="Simulation report"
            detail={
              simulation.sweepId
                ? "This project is a cell of a simulation sweep"
                : "Protocol against drawing everything by hand"
            }
          />
        ) : null}
        {has("LEAD") || has("EXPORTER") ? (
          <Action
            testId="action-runs"
            href={`/projects/${slug}/runs`}
            title="Models and evaluation"
            detail="Per-fold metrics, confusion matrices, ROC and PR curves"
          />
        ) : null}
      </div>
      <Card title={`Images (${o.total.toLocaleString()})`}>
        <div className="flex h-3 w-full overflow-hidden rounded bg-panel-2" role="img" aria-label="Images by state">
          {stateLabels.map(([s], i) => {
            const n = o.counts[s] ?? 0;
            return n ? (
              <div
                key={s}
                style={{
                  width: `${(100 * n) / Math.max(1, o.total)}%`,
                  opacity: 0.35 + (0.65 * i) / stateLabels.length,
                }}
                className={s === "ACCEPTED" ? "bg-ok" : s === "DISPUTED" ? "bg-bad" : "bg-accent"}
              />
            ) : null;
          })}
        </div>
        <dl className="mt-3 grid grid-cols-2 gap-2 text-sm sm:grid-cols-4">
          {stateLabels.map(([s, label]) => (
            <div key={s}>
              <dt className="text-muted">{label}</dt>
              <dd data-testid={`count-${s}`}>{(o.counts[s] ?? 0).toLocaleString()}</dd>
            </div>
          ))}
        </dl>
      </Card>
      <Card title="Protocol">
        <dl className="grid grid-cols-2 gap-2 text-sm sm:grid-cols-4">
          <div>
            <dt className="text-muted">Folds</dt>
            <dd>{project.folds}</dd>
          </div>
          <div>
            <dt className="text-muted">Votes per image</dt>
            <dd>{project.votesPerImage}</dd>
          </div>
          <div>
            <dt className="text-muted">Stage-I selection</dt>
            <dd>{selectionModeLabels[project.selectionMode]}</dd>
          </div>
          <div>
            <dt className="text-muted">Ties</dt>
            <dd>{tieBreakLabels[project.tieBreak]}</dd>
          </div>
          <div>
            <dt className="text-muted">Training preset</dt>
            <dd data-testid="training-preset">{trainingPresetLabel(project.trainConfig)}</dd>
          </div>
        </dl>
      </Card>
    </div>
  );
}
