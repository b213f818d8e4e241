// Stores what `tandem simulate` found. No role check: only the CLI calls these, with the
// database's full rights (as it creates the simulated project and its users).
import "server-only";
import { db } from "../db/client";
import type { SimulationReport, SimulationRunOptions, SweepCell } from "./types";

// NaN ("no data") has no JSON form: stored as null, read back as NaN (queries.ts).
const json = (v: unknown) => JSON.parse(JSON.stringify(v));

/** One simulated project's paired report; returns the run's id. */
export async function saveSimulationRun(input: {
  options: SimulationRunOptions;
  report: SimulationReport;
}): Promise<string> {
  const row = await db().simulationRun.create({
    data: {
      kind: "SINGLE",
      projectId: input.report.projectId,
      options: json(input.options),
      result: json(input.report),
    },
    select: { id: true },
  });
  return row.id;
}

/** A sweep's table; the SINGLE runs of its cells' projects become its cells. Returns the sweep's id. */
export async function saveSweepRun(input: { options: SimulationRunOptions; cells: SweepCell[] }): Promise<string> {
  const projectIds = input.cells.map((c) => c.projectId).filter((p): p is string => !!p);
  return db().$transaction(async (tx) => {
    const row = await tx.simulationRun.create({
      data: { kind: "SWEEP", options: json(input.options), result: json(input.cells) },
      select: { id: true },
    });
    if (projectIds.length)
      await tx.simulationRun.updateMany({
        where: { kind: "SINGLE", projectId: { in: projectIds } },
        data: { sweepId: row.id },
      });
    return row.id;
  });
}
