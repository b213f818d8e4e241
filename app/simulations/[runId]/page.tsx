import Link from "next/link";
import { requirePageUser } from "@/app/_lib/session";
import { orNotFound } from "@/app/_lib/or-not-found";
import { getSimulationRun } from "@/lib/simulate/queries";
import { Card } from "@/app/_components/ui";
import { ReportView } from "@/app/_components/simulation/report-view";
import { RunOptions } from "@/app/_components/simulation/run-options";
import { SweepPlot } from "@/app/_components/simulation/sweep-plot";
import { SweepTable, SweepVerdicts } from "@/app/_components/simulation/sweep-table";

export const dynamic = "force-dynamic";
export const metadata = { title: "Simulation report · Tandem" };

export default async function SimulationRunPage({ params }: { params: Promise<{ runId: string }> }) {
  const user = await requirePageUser();
  const { runId } = await params;
  const run = await orNotFound(getSimulationRun(user, runId));
  const created = run.createdAt.toISOString().slice(0, 16).replace("T", " ");
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">
          {run.kind === "SWEEP" ? "Simulation sweep" : `Simulation report · ${run.project?.name ?? ""}`}
        </h1>
        <span className="text-sm text-muted">{created} UTC</span>
        <Link className="text-sm text-accent hover:underline" href="/simulations">
          All simulations
        </Link>
        {run.project ? (
          <Link className="text-sm text-accent hover:underline" href={`/projects/${run.project.slug}`}>
            Simulated project
          </Link>
        ) : null}
        {run.sweepId ? (
          <Link className="text-sm text-accent hover:underline" href={`/simulations/${run.sweepId}`}>
            Its sweep
          </Link>
        ) : null}
      </div>
      {run.cells ? (
        <>
          <Card title="Where the protocol pays">
            <SweepVerdicts cells={run.cells} />
            <p className="mt-2 text-xs text-muted">
              Saves time: the MD-time ratio&apos;s 95% CI lies wholly below 1. Costs quality: the Dice difference&apos;s
              95% CI lies wholly below 0.
            </p>
          </Card>
          <Card title="Sweep plot">
            <SweepPlot cells={run.cells} />
          </Card>
          <Card title="Sweep table">
            <SweepTable
              cells={run.cells}
              cellRunIds={new Map(run.cellRuns.filter((c) => c.projectId).map((c) => [c.projectId!, c.id]))}
            />
          </Card>
        </>
      ) : null}
      {run.report ? <ReportView r={run.report} /> : null}
      <Card title="Settings">
        <RunOptions options={run.options} />
      </Card>
    </div>
  );
}
