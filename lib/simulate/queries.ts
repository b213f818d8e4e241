import "server-only";
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { AppError } from "../errors/app-error";
import { requireProjectRole } from "../auth/authorize";
import type { Actor, Role } from "../auth/types";
import type { SimulationKind, SimulationReport, SimulationRunOptions, SweepCell } from "./types";

/** A simulation's outcome is for the simulated project's leads (and admins). */
export const SIMULATION_ROLES: Role[] = ["LEAD"];

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Stored JSON back to numbers: null was NaN ("no data"); reports and cells have no nullable field. */
function revive<T>(v: unknown): T {
  if (v === null) return Number.NaN as T;
  if (Array.isArray(v)) return v.map((x) => revive(x)) as T;
  if (typeof v === "object")
    return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, revive(x)])) as T;
  return v as T;
}

async function ledProjectIds(actor: Actor): Promise<Set<string>> {
  const rows = await db().membership.findMany({
    where: { userId: actor.userId, roles: { hasSome: SIMULATION_ROLES } },
    select: { projectId: true },
  });
  return new Set(rows.map((r) => r.projectId));
}

export type SimulationRunSummary = {
  id: string;
  kind: SimulationKind;
  createdAt: Date;
  project: { slug: string; name: string } | null;
  sweepId: string | null;
  cells: number;
  models: string | null;
  images: number | null;
};

/**
 * The runs an actor may open: admins all; a lead the single runs of projects they lead and the
 * sweeps all of whose cells' projects they lead. Newest first.
 */
export async function listSimulationRuns(actor: Actor): Promise<SimulationRunSummary[]> {
  const rows = await db().simulationRun.findMany({
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: {
      id: true,
      kind: true,
      createdAt: true,
      sweepId: true,
      options: true,
      projectId: true,
      project: { select: { slug: true, name: true } },
      cells: { select: { projectId: true } },
    },
  });
  const led = actor.isAdmin ? null : await ledProjectIds(actor);
  const visible = rows.filter((r) => {
    if (!led) return true;
    if (r.kind === "SINGLE") return !!r.projectId && led.has(r.projectId);
    return r.cells.length > 0 && r.cells.every((c) => !!c.projectId && led.has(c.projectId));
  });
  return visible.map((r) => {
    const o = (r.options ?? {}) as SimulationRunOptions;
    return {
      id: r.id,
      kind: r.kind,
      createdAt: r.createdAt,
      project: r.project,
      sweepId: r.sweepId,
      cells: r.cells.length,
      models: typeof o.models === "string" ? o.models : null,
      images: typeof o.images === "number" ? o.images : null,
    };
  });
}

export type SimulationRunView = {
  id: string;
  kind: SimulationKind;
  createdAt: Date;
  options: SimulationRunOptions;
  project: { id: string; slug: string; name: string } | null;
  sweepId: string | null;
  report: SimulationReport | null;
  cells: SweepCell[] | null;
  /** A sweep's cell runs by their simulated project, for links from the table. */
  cellRuns: { id: string; projectId: string | null }[];
};

/** What a run's view shows, and what its access check reads (the projects of the run or its cells). */
const runViewSelect = {
  id: true,
  kind: true,
  createdAt: true,
  options: true,
  result: true,
  sweepId: true,
  project: { select: { id: true, slug: true, name: true } },
  cells: { select: { id: true, projectId: true }, orderBy: { createdAt: "asc" } },
} satisfies Prisma.SimulationRunSelect;

/**
 * One stored run. A single run needs a lead of its simulated project; a sweep a lead of every
 * cell's project. Non-members get NOT_FOUND, members without the role FORBIDDEN; admins pass.
 */
export async function getSimulationRun(actor: Actor, runId: string): Promise<SimulationRunView> {
  if (!uuid.test(runId)) throw new AppError("NOT_FOUND", "Simulation run not found");
  const r = await db().simulationRun.findUnique({ where: { id: runId }, select: runViewSelect });
  if (!r) throw new AppError("NOT_FOUND", "Simulation run not found");
  if (r.kind === "SINGLE") {
    if (!r.project) throw new AppError("NOT_FOUND", "Simulation run not found");
    await requireProjectRole(actor, r.project.id, SIMULATION_ROLES);
  } else if (!actor.isAdmin) {
    if (!r.cells.length || r.cells.some((c) => !c.projectId))
      throw new AppError("NOT_FOUND", "Simulation run not found");
    for (const c of r.cells) await requireProjectRole(actor, c.projectId!, SIMULATION_ROLES);
  }
  return {
    id: r.id,
    kind: r.kind,
    createdAt: r.createdAt,
    options: (r.options ?? {}) as SimulationRunOptions,
    project: r.project,
    sweepId: r.sweepId,
    report: r.kind === "SINGLE" ? revive<SimulationReport>(r.result) : null,
    cells: r.kind === "SWEEP" ? revive<SweepCell[]>(r.result) : null,
    cellRuns: r.cells,
  };
}

/** The latest simulation run of a simulated project, for a link from its pages; null when it is not one. */
export async function projectSimulationRun(
  actor: Actor,
  projectId: string,
): Promise<{ id: string; sweepId: string | null } | null> {
  await requireProjectRole(actor, projectId, SIMULATION_ROLES);
  return db().simulationRun.findFirst({
    where: { projectId, kind: "SINGLE" },
    orderBy: { createdAt: "desc" },
    select: { id: true, sweepId: true },
  });
}
