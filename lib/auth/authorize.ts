import { AppError } from "../errors/app-error";
import { projectRoles } from "./queries";
import type { Actor, Role } from "./types";

/**
 * Enforces a role on a project for an actor. A non-member gets NOT_FOUND (the project's
 * existence is not revealed); a member without the role gets FORBIDDEN. Admins pass.
 */
export async function requireProjectRole(actor: Actor, projectId: string, allowed: Role[]): Promise<Role[]> {
  if (actor.isAdmin) return ["ADMIN", "LEAD", "MD", "EXPORTER"];
  const roles = await projectRoles(actor.userId, projectId);
  if (!roles) throw new AppError("NOT_FOUND", "Project not found");
  if (!roles.some((r) => allowed.includes(r))) {
    throw new AppError("FORBIDDEN", `This needs one of the roles ${allowed.join(", ")} in this project`);
  }
  return roles;
}

/**
 * requireProjectRole for an object reached by id: an outsider gets NOT_FOUND naming `what` (ids
 * reveal nothing), a member without the role FORBIDDEN. Anything else (the database down) passes
 * through as it is, so a client retries it instead of taking "not found" as an answer.
 */
export async function requireRoleOnObject(
  actor: Actor,
  projectId: string,
  allowed: Role[],
  what: string,
  refusal: "NOT_FOUND" | "FORBIDDEN" = "NOT_FOUND",
): Promise<Role[]> {
  try {
    return await requireProjectRole(actor, projectId, allowed);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    if (refusal === "FORBIDDEN") throw new AppError("FORBIDDEN", what);
    throw e.code === "FORBIDDEN" ? e : new AppError("NOT_FOUND", `${what} not found`);
  }
}

export function requireAdmin(actor: Actor): void {
  if (!actor.isAdmin) throw new AppError("FORBIDDEN", "Only administrators can do this");
}
