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

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/** What the fixed doors of a project page lead to. */
const about = {
  dashboard: "Progress, agreement, models, jobs",
  import: "PNG, JPEG, DICOM, folders or zip",
  analyse: "Infection map and detection from a trained model",
  runs: "Per-fold metrics, confusion matrices, ROC and PR curves",
};

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
  const leadOrExporter = has("LEAD") || has("EXPORTER");
  const at = (page: string) => `/projects/${slug}/${page}`;
  const acceptedMasks = count(accepted, "accepted mask");
  const simulationHref = `/simulations/${simulation?.id}`;
  const simulationDetail = simulation?.sweepId
    ? "This project is a cell of a simulation sweep"
    : "Protocol against drawing everything by hand";
  // The project's doors, in order, each shown to the roles that may go through it; a door
  // without its own href is the project page named by its id.
  const doors: { id: string; shown: boolean; title: string; detail: string; href?: string }[] = [
    { id: "draw", shown: has("MD"), title: "Draw masks", detail: `${count(o.openTasks, "image")} to draw` },
    {
      id: "vote",
      shown: has("MD"),
      title: "Blinded selection",
      detail: `${count(o.awaitingVote, "image")} awaiting a vote`,
    },
    { id: "dashboard", shown: has("LEAD"), title: "Dashboard", detail: about.dashboard },
    { id: "export", shown: leadOrExporter, title: "Export dataset", detail: acceptedMasks, href: at("exports") },
    { id: "import", shown: has("LEAD"), title: "Import images", detail: about.import },
    { id: "analyse", shown: leadOrExporter, title: "Analyse a CXR", detail: about.analyse },
    {
      id: "simulation",
      shown: !!simulation,
      title: "Simulation report",
      detail: simulationDetail,
      href: simulationHref,
    },
    { id: "runs", shown: leadOrExporter, title: "Models and evaluation", detail: about.runs },
  ];
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
        {doors.map(({ id, shown, title, detail, href }) =>
          shown ? (
            <Action
              key={id}
              testId={`action-${id}`}
              href={href ?? at(id)}
              title={title}
              detail={detail}
              // The drawing page's policy lets its Smart tool compile WebAssembly; a client-side
              // navigation would keep this page's policy, which does not.
              fullLoad={id === "draw"}
            />
          ) : null,
        )}
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
