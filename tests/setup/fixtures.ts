import { randomUUID } from "node:crypto";
import { createUser } from "../../lib/auth/mutations";
import { createProject, addMember } from "../../lib/projects/mutations";
import type { Actor, Role } from "../../lib/auth/types";

export const uniq = (p = "t") => `${p}-${randomUUID().slice(0, 8)}`;

export async function makeUser(opts: { isAdmin?: boolean; password?: string } = {}) {
  const email = `${uniq("u")}@test.local`;
  const u = await createUser({
    email,
    name: email,
    password: opts.password ?? "correct horse battery",
    isAdmin: opts.isAdmin,
  });
  return {
    ...u,
    actor: { userId: u.id, isAdmin: u.isAdmin } as Actor,
    password: opts.password ?? "correct horse battery",
  };
}

/** A user made by `makeUser`: the account, its actor and its password. */
export type TestUser = Awaited<ReturnType<typeof makeUser>>;

/** A project with a lead, an MD and an exporter, created through the domain functions. */
export async function makeProject(settings: Record<string, unknown> = {}) {
  const admin = await makeUser({ isAdmin: true });
  const lead = await makeUser();
  const md = await makeUser();
  const exporter = await makeUser();
  const project = await createProject(admin.actor, {
    name: "Test project",
    slug: uniq("p"),
    settings: settings as never,
  });
  const add = (email: string, roles: Role[]) =>
    addMember(admin.actor, project.id, { email, roles: roles as ("LEAD" | "MD" | "EXPORTER")[] });
  await add(lead.email, ["LEAD"]);
  await add(md.email, ["MD"]);
  await add(exporter.email, ["EXPORTER"]);
  return { project, admin, lead, md, exporter };
}
