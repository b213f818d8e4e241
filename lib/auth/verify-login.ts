import { AppError } from "../errors/app-error";
import { recordAudit } from "../audit/mutations";
import { verifyPassword } from "./password";
import { findUserByEmail, getThrottle } from "./queries";
import { clearLoginFailures, recordLoginFailure, touchLogin } from "./mutations";

// A fixed hash so that unknown emails cost the same time as wrong passwords.
const dummyHash = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/**
 * Checks email + password with rate limiting per email and per client address.
 * Returns the user or null; throws RATE_LIMITED while locked.
 */
export async function verifyLogin(email: string, password: string, clientKey: string) {
  const keys = [`email:${email.trim().toLowerCase()}`, `ip:${clientKey}`];
  for (const k of keys) {
    const t = await getThrottle(k);
    if (t?.lockedUntil && t.lockedUntil > new Date()) {
      throw new AppError("RATE_LIMITED", "Too many failed sign-in attempts; try again in 15 minutes");
    }
  }
  const user = await findUserByEmail(email);
  const ok = await verifyPassword(password, user?.passwordHash ?? dummyHash);
  if (!user || !ok || user.disabled) {
    for (const k of keys) await recordLoginFailure(k);
    await recordAudit({ action: "auth.login_failed", objectType: "User", objectId: user?.id ?? null });
    return null;
  }
  for (const k of keys) await clearLoginFailures(k);
  await touchLogin(user.id);
  await recordAudit({ action: "auth.login", objectType: "User", objectId: user.id, actorId: user.id });
  return { id: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin };
}
