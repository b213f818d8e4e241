import { recordAudit } from "../audit/mutations";
import { verifyPassword } from "./password";
import { findUserByEmail, getThrottle } from "./queries";
import { clearLoginFailures, recordLoginFailure, touchLogin } from "./mutations";
import { accountKey, accountPolicy, addressKey, addressPolicy, checkThrottle } from "./throttle";

// A fixed hash so that unknown emails cost the same time as wrong passwords.
const dummyHash = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/**
 * Checks email + password. The account is slowed and then locked on its own failures; the
 * client address (when known, see throttle.ts) is limited on its own. A failure for one account
 * never limits another account, and an address limit never locks an account.
 * Returns the user or null; throws RATE_LIMITED while slowed or locked.
 */
export async function verifyLogin(email: string, password: string, address: string | null, now = new Date()) {
  const account = accountKey(email);
  const addr = address ? addressKey(address) : null;
  if (addr) checkThrottle("address", await getThrottle(addr), now);
  checkThrottle("account", await getThrottle(account), now);
  const user = await findUserByEmail(email);
  const ok = await verifyPassword(password, user?.passwordHash ?? dummyHash);
  if (!user || !ok || user.disabled) {
    await recordLoginFailure(account, accountPolicy, now);
    if (addr) await recordLoginFailure(addr, addressPolicy, now);
    await recordAudit({
      action: "auth.login_failed",
      objectType: "User",
      objectId: user?.id ?? null,
      after: { address },
    });
    return null;
  }
  await clearLoginFailures(account);
  await touchLogin(user.id);
  await recordAudit({
    action: "auth.login",
    objectType: "User",
    objectId: user.id,
    actorId: user.id,
    after: { method: "password", address },
  });
  return { id: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin };
}
