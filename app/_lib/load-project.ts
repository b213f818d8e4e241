import { getProjectForActor } from "@/lib/projects/queries";
import type { Actor, Role } from "@/lib/auth/types";
import { orNotFound } from "./or-not-found";

/** The project for a page, or the 404 page for non-members and wrong roles. */
export function loadProject(actor: Actor, slug: string, roles: Role[]) {
  return orNotFound(getProjectForActor(actor, slug, roles));
}
