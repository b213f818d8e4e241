import { db } from "../db/client";
import { AppError } from "../errors/app-error";
import { requireProjectRole } from "../auth/authorize";
import type { Actor, Role } from "../auth/types";

export async function listProjectsFor(actor: Actor) {
  const projects = await db().project.findMany({
    where: actor.isAdmin ? {} : { memberships: { some: { userId: actor.userId } } },
    orderBy: { createdAt: "desc" },
    select: {
      id: true, slug: true, name: true, description: true, currentStage: true, createdAt: true,
      memberships: { where: { userId: actor.userId }, select: { roles: true } },
      _count: { select: { images: true } },
    },
  });
  return projects.map(({ memberships, _count, ...p }) => ({
    ...p,
    imageCount: _count.images,
    roles: (actor.isAdmin ? ["ADMIN", ...(memberships[0]?.roles ?? [])] : memberships[0]?.roles ?? []) as Role[],
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
