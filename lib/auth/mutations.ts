import "server-only";
import { db } from "../db/client";
import { AppError } from "../errors/app-error";
import { recordAudit } from "../audit/mutations";
import { hashPassword, passwordPolicy } from "./password";
import { afterFailure, type ThrottlePolicy } from "./throttle";

export async function createUser(
  input: { email: string; name: string; password?: string; isAdmin?: boolean },
  actorId?: string,
) {
  if (input.password !== undefined && input.password.length < passwordPolicy.minLength) {
    throw new AppError("BAD_REQUEST", `Password must be at least ${passwordPolicy.minLength} characters`);
  }
  const email = input.email.trim().toLowerCase();
  const exists = await db().user.findUnique({ where: { email } });
  if (exists) throw new AppError("CONFLICT", "A user with this email already exists");
  const user = await db().user.create({
    data: {
      email,
      name: input.name,
      isAdmin: input.isAdmin ?? false,
      passwordHash: input.password ? await hashPassword(input.password) : null,
    },
    select: { id: true, email: true, name: true, isAdmin: true },
  });
  await recordAudit({
    action: "user.create",
    objectType: "User",
    objectId: user.id,
    actorId,
    after: { email, isAdmin: user.isAdmin },
  });
  return user;
}

/** Counts a failed login for this key and sets the slow-down and lock the policy gives. */
export async function recordLoginFailure(key: string, policy: ThrottlePolicy, now = new Date()): Promise<number> {
  const windowOpen = new Date(now.getTime() - policy.windowMs);
  const rows = await db().$queryRaw<{ failures: number }[]>`
    INSERT INTO "LoginThrottle" (key, failures, "windowStart") VALUES (${key}, 1, ${now})
    ON CONFLICT (key) DO UPDATE SET
      failures = CASE WHEN "LoginThrottle"."windowStart" < ${windowOpen} THEN 1 ELSE "LoginThrottle".failures + 1 END,
      "windowStart" = CASE WHEN "LoginThrottle"."windowStart" < ${windowOpen} THEN ${now} ELSE "LoginThrottle"."windowStart" END
    RETURNING failures`;
  const failures = rows[0].failures;
  const next = afterFailure(policy, failures, now);
  await db().loginThrottle.update({
    where: { key },
    data: { nextAttemptAt: next.nextAttemptAt, ...(next.lockedUntil ? { lockedUntil: next.lockedUntil } : {}) },
  });
  return failures;
}

export async function clearLoginFailures(key: string): Promise<void> {
  await db().loginThrottle.deleteMany({ where: { key } });
}

export async function touchLogin(userId: string): Promise<void> {
  await db().user.update({ where: { id: userId }, data: { lastLoginAt: new Date() } });
}

export const sessionMaxAgeSeconds = 12 * 60 * 60;

/** Opens a session row; its id goes into the (encrypted) session cookie. */
export async function createSession(
  userId: string,
  method: "password" | "sso",
  idToken?: string | null,
): Promise<string> {
  // Rows of this user's sessions that ended over a day ago go; the audit log keeps the history.
  const ended = new Date(Date.now() - 24 * 3600_000);
  await db().session.deleteMany({
    where: { userId, OR: [{ expiresAt: { lt: ended } }, { revokedAt: { lt: ended } }] },
  });
  const s = await db().session.create({
    data: { userId, method, idToken: idToken ?? null, expiresAt: new Date(Date.now() + sessionMaxAgeSeconds * 1000) },
    select: { id: true },
  });
  return s.id;
}

export async function revokeSession(sessionId: string): Promise<void> {
  await db().session.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
}

export async function revokeUserSessions(userId: string): Promise<number> {
  const r = await db().session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
  return r.count;
}

/**
 * Binds an SSO identity to a user that has none yet. Returns false when the user was bound
 * meanwhile (to this or another identity), so a race cannot bind twice.
 */
export async function bindSsoIdentity(userId: string, issuer: string, subject: string): Promise<boolean> {
  const r = await db().user.updateMany({
    where: { id: userId, ssoSubject: null },
    data: { ssoIssuer: issuer, ssoSubject: subject },
  });
  return r.count === 1;
}

/** Just-in-time account for a single sign-on identity: no password, bound from the start. */
export async function createSsoUser(input: { email: string; name: string; issuer: string; subject: string }) {
  const user = await db().user.create({
    data: { email: input.email.toLowerCase(), name: input.name, ssoIssuer: input.issuer, ssoSubject: input.subject },
    select: { id: true, email: true, disabled: true },
  });
  await recordAudit({
    action: "user.create",
    objectType: "User",
    objectId: user.id,
    after: { email: user.email, via: "sso-jit", issuer: input.issuer },
  });
  return user;
}

/** Adds project roles (never removes any) and sets the admin flag when `admin` is given. */
export async function grantRoles(
  userId: string,
  grants: { projectId: string; role: string }[],
  admin: boolean | undefined,
  reason: string,
): Promise<void> {
  for (const g of grants) {
    const m = await db().membership.findUnique({
      where: { projectId_userId: { projectId: g.projectId, userId } },
      select: { roles: true },
    });
    if (m?.roles.includes(g.role as never)) continue;
    const roles = [...(m?.roles ?? []), g.role] as never[];
    const row = await db().membership.upsert({
      where: { projectId_userId: { projectId: g.projectId, userId } },
      create: { projectId: g.projectId, userId, roles },
      update: { roles },
    });
    await recordAudit({
      action: "project.member_set",
      objectType: "Membership",
      objectId: row.id,
      projectId: g.projectId,
      after: { userId, roles, reason },
    });
  }
  if (admin !== undefined) {
    const r = await db().user.updateMany({ where: { id: userId, isAdmin: !admin }, data: { isAdmin: admin } });
    if (r.count)
      await recordAudit({
        action: "user.admin_set",
        objectType: "User",
        objectId: userId,
        after: { isAdmin: admin, reason },
      });
  }
}
