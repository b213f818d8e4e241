import "server-only";
import { db } from "../db/client";
import { AppError } from "../errors/app-error";
import { requireProjectRole } from "../auth/authorize";
import type { Actor, Role } from "../auth/types";
import { ingestColumnSelect, ingestFromColumns, type IngestSettings } from "./schema";
import { hasAnyRole } from "../auth/queries";
import { trainingCompute } from "../jobs/queries";
import { defaultPresetFor } from "../ml/presets";

export async function listProjectsFor(actor: Actor) {
  const projects = await db().project.findMany({
    where: actor.isAdmin ? {} : { memberships: { some: { userId: actor.userId } } },
    orderBy: { createdAt: "desc" },
    select: {
      id: true,
      slug: true,
      name: true,
      description: true,
      currentStage: true,
      createdAt: true,
      memberships: { where: { userId: actor.userId }, select: { roles: true } },
      _count: { select: { images: true } },
    },
  });
  return projects.map(({ memberships, _count, ...p }) => ({
    ...p,
    imageCount: _count.images,
    roles: (actor.isAdmin ? ["ADMIN", ...(memberships[0]?.roles ?? [])] : (memberships[0]?.roles ?? [])) as Role[],
  }));
}

/** A project by its slug, for an actor holding one of `allowed` roles in it. */
export async function getProjectForActor(actor: Actor, slug: string, allowed: Role[] = ["LEAD", "MD", "EXPORTER"]) {
  const project = await db().project.findUnique({ where: { slug } });
  if (!project) throw new AppError("NOT_FOUND", "Project not found");
  const roles = await requireProjectRole(actor, project.id, allowed);
  return { project, roles };
}

export async function listMembers(actor: Actor, projectId: string) {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  return db().membership.findMany({
    where: { projectId },
    select: { id: true, roles: true, user: { select: { id: true, email: true, name: true } } },
    orderBy: { createdAt: "asc" },
  });
}

/** What a member needs on the project's home page: counts by state and their open work. */
export async function projectOverview(actor: Actor, slug: string) {
  const { project, roles } = await getProjectForActor(actor, slug);
  const byState = await db().image.groupBy({ by: ["state"], where: { projectId: project.id }, _count: { _all: true } });
  const round = await db().round.findFirst({ where: { projectId: project.id }, orderBy: { number: "desc" } });
  const openTasks = await db().task.count({
    where: { projectId: project.id, status: { in: ["OPEN", "CLAIMED"] }, kind: { in: ["MANUAL", "REDRAW"] } },
  });
  const awaitingVote = byState.find((s) => s.state === "AWAITING_VOTE")?._count._all ?? 0;
  return {
    project,
    roles,
    round,
    counts: Object.fromEntries(byState.map((s) => [s.state, s._count._all])) as Record<string, number>,
    total: byState.reduce((s, x) => s + x._count._all, 0),
    openTasks,
    awaitingVote,
  };
}

/** The project's ingest settings (modality policy, de-identification options); no role check: callers have done it. */
export async function ingestSettings(projectId: string): Promise<IngestSettings> {
  const p = await db().project.findUnique({ where: { id: projectId }, select: ingestColumnSelect });
  if (!p) throw new AppError("NOT_FOUND", "Project not found");
  return ingestFromColumns(p);
}

/** Admins and leads (of any project) may create projects: the web's button and form, the CLI and createProject ask this. */
export async function mayCreateProjects(actor: Actor): Promise<boolean> {
  return actor.isAdmin || hasAnyRole(actor.userId, ["LEAD"]);
}

/**
 * The new-project form's defaults: the training preset follows the compute the workers have
 * (a GPU only when a live worker that trains reports one), and says why.
 */
export async function newProjectDefaults() {
  const { compute, trainWorkers } = await trainingCompute();
  const preset = defaultPresetFor(compute).name;
  const why =
    compute === "gpu"
      ? "a live training worker reports a GPU"
      : trainWorkers
        ? `no live training worker reports a GPU (WORKER_GPU); ${trainWorkers} train${trainWorkers === 1 ? "s" : ""} on CPU`
        : "no live training worker is seen yet, so the CPU preset is the safe start";
  return { preset, why };
}
