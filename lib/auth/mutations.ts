import { db } from "../db/client";
import { AppError } from "../errors/app-error";
import { recordAudit } from "../audit/mutations";
import { hashPassword, passwordPolicy } from "./password";

export async function createUser(input: { email: string; name: string; password?: string; isAdmin?: boolean }, actorId?: string) {
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
  await recordAudit({ action: "user.create", objectType: "User", objectId: user.id, actorId, after: { email, isAdmin: user.isAdmin } });
  return user;
}

const WINDOW_MS = 15 * 60_000;
const MAX_FAILURES = 5;
const LOCK_MS = 15 * 60_000;

/** Counts a failed login for this key; past MAX_FAILURES in the window the key is locked. */
export async function recordLoginFailure(key: string): Promise<void> {
  const now = new Date();
  await db().$executeRaw`
    INSERT INTO "LoginThrottle" (key, failures, "windowStart") VALUES (${key}, 1, ${now})
    ON CONFLICT (key) DO UPDATE SET
      failures = CASE WHEN "LoginThrottle"."windowStart" < ${new Date(now.getTime() - WINDOW_MS)} THEN 1 ELSE "LoginThrottle".failures + 1 END,
      "windowStart" = CASE WHEN "LoginThrottle"."windowStart" < ${new Date(now.getTime() - WINDOW_MS)} THEN ${now} ELSE "LoginThrottle"."windowStart" END,
      "lockedUntil" = CASE WHEN "LoginThrottle".failures + 1 >= ${MAX_FAILURES} AND "LoginThrottle"."windowStart" >= ${new Date(now.getTime() - WINDOW_MS)}
                           THEN ${new Date(now.getTime() + LOCK_MS)} ELSE "LoginThrottle"."lockedUntil" END`;
}

export async function clearLoginFailures(key: string): Promise<void> {
  await db().loginThrottle.deleteMany({ where: { key } });
}

export async function touchLogin(userId: string): Promise<void> {
  await db().user.update({ where: { id: userId }, data: { lastLoginAt: new Date() } });
}
