import { db } from "../db/client";
import type { Role } from "./types";

export async function findUserByEmail(email: string) {
  return db().user.findUnique({ where: { email: email.trim().toLowerCase() } });
}

export async function getUser(id: string) {
  return db().user.findUnique({ where: { id }, select: { id: true, email: true, name: true, isAdmin: true, disabled: true } });
}

export async function projectRoles(userId: string, projectId: string): Promise<Role[] | null> {
  const m = await db().membership.findUnique({ where: { projectId_userId: { projectId, userId } }, select: { roles: true } });
  return m ? (m.roles as Role[]) : null;
}

export async function hasAnyRole(userId: string, roles: Role[]): Promise<boolean> {
  const n = await db().membership.count({ where: { userId, roles: { hasSome: roles } } });
  return n > 0;
}

export async function getThrottle(key: string) {
  return db().loginThrottle.findUnique({ where: { key } });
}

export async function countUsers() {
  return db().user.count();
}
