import Link from "next/link";
import { requirePageUser } from "@/app/_lib/session";
import { listSimulationRuns } from "@/lib/simulate/queries";
import { Badge, Card, TableHead } from "@/app/_components/ui";

export const dynamic = "force-dynamic";
export const metadata = { title: "Simulations · Tandem" };

export default async function SimulationsPage() {
  const user = await requirePageUser();
  const runs = await listSimulationRuns(user);
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Protocol simulations</h1>
      <p className="text-sm text-muted">
        Runs of <code>npx tandem simulate</code>: the protocol with simulated MDs, paired against drawing every image by
        hand. You see the runs of projects you lead.
      </p>
      <Card>
        {runs.length === 0 ? (
          <p className="text-sm text-muted" data-testid="no-simulations">
            No simulation runs you can open.
          </p>
        ) : (
          <table className="w-full text-left text-sm" data-testid="simulations-table">
            <TableHead columns={["Run", "Kind", "Images", "Models", "Created"]} />
            <tbody>
              {runs.map((r) => (
                <tr key={r.id} className="border-t border-line">
                  <td className="py-1">
                    <Link className="text-accent hover:underline" href={`/simulations/${r.id}`}>
                      {r.kind === "SWEEP" ? `Sweep of ${r.cells} runs` : (r.project?.name ?? "Simulation")}
                    </Link>
                    {r.sweepId ? <span className="ml-2 text-xs text-muted">(a cell of a sweep)</span> : null}
                  </td>
                  <td>
                    <Badge>{r.kind === "SWEEP" ? "sweep" : "single"}</Badge>
                  </td>
                  <td className="tabular-nums">{r.images ?? "—"}</td>
                  <td>{r.models ?? "—"}</td>
                  <td className="text-muted">{r.createdAt.toISOString().slice(0, 16).replace("T", " ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}
