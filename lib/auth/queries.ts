import "server-only";
import { db } from "../db/client";
import type { Role } from "./types";

export async function findUserByEmail(email: string) {
  return db().user.findUnique({ where: { email: email.trim().toLowerCase() } });
}

export async function getUser(id: string) {
  return db().user.findUnique({
    where: { id },
    select: { id: true, email: true, name: true, isAdmin: true, disabled: true },
  });
}

export async function projectRoles(userId: string, projectId: string): Promise<Role[] | null> {
  const m = await db().membership.findUnique({
    where: { projectId_userId: { projectId, userId } },
    select: { roles: true },
  });
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

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The user behind a live session, or null when the session is unknown, revoked, expired or its
 * user disabled. One primary-key lookup joined to the user's primary key, run on every request.
 */
export async function findActiveSession(sessionId: string, now = new Date()) {
  if (!uuidPattern.test(sessionId)) return null;
  const rows = await db().$queryRaw<{ id: string; email: string; name: string; isAdmin: boolean }[]>`
    SELECT u.id, u.email, u.name, u."isAdmin"
    FROM "Session" s JOIN "User" u ON u.id = s."userId"
    WHERE s.id = ${sessionId}::uuid AND s."revokedAt" IS NULL AND s."expiresAt" > ${now} AND NOT u.disabled`;
  return rows[0] ?? null;
}

export async function getSession(sessionId: string) {
  if (!uuidPattern.test(sessionId)) return null;
  return db().session.findUnique({
    where: { id: sessionId },
    select: { id: true, userId: true, method: true, idToken: true, revokedAt: true },
  });
}

export async function findUserBySso(issuer: string, subject: string) {
  return db().user.findUnique({ where: { ssoIssuer_ssoSubject: { ssoIssuer: issuer, ssoSubject: subject } } });
}

export async function findProjectIdsBySlug(slugs: string[]) {
  const rows = await db().project.findMany({ where: { slug: { in: slugs } }, select: { id: true, slug: true } });
  return new Map(rows.map((r) => [r.slug, r.id]));
}
