import { notFound } from "next/navigation";
import { getProjectForActor } from "@/lib/projects/queries";
import { isAppError } from "@/lib/errors/app-error";
import type { Actor, Role } from "@/lib/auth/types";

/** The project for a page, or the 404 page for non-members and wrong roles. */
export async function loadProject(actor: Actor, slug: string, roles: Role[]) {
  const loaded = await getProjectForActor(actor, slug, roles).catch((e) => {
    if (isAppError(e) && (e.code === "NOT_FOUND" || e.code === "FORBIDDEN")) return null;
    throw e;
  });
  if (!loaded) notFound();
  return loaded;
}
