import { env } from "../config/env";
import { logger } from "../log/logger";
import { recordAudit } from "../audit/mutations";
import { getSession } from "./queries";
import { revokeSession } from "./mutations";
import { providerLogoutUrl } from "./sso-logout";

/**
 * Ends a Tandem session at once and, for a single sign-on session whose provider offers it,
 * returns the provider's logout address so the browser ends the hospital session too.
 */
export async function endSession(sessionId: string): Promise<string | null> {
  const s = await getSession(sessionId);
  if (!s) return null;
  await revokeSession(s.id);
  await recordAudit({
    action: "auth.logout",
    objectType: "User",
    objectId: s.userId,
    actorId: s.userId,
    after: { method: s.method },
  });
  const e = env();
  if (s.method !== "sso" || !e.OIDC_ISSUER || !e.OIDC_CLIENT_ID) return null;
  try {
    return await providerLogoutUrl({
      issuer: e.OIDC_ISSUER,
      clientId: e.OIDC_CLIENT_ID,
      idToken: s.idToken,
      postLogoutRedirect: `${e.APP_URL.replace(/\/$/, "")}/login`,
    });
  } catch (err) {
    logger.warn("single sign-on: provider logout unavailable", { message: (err as Error).message });
    return null;
  }
}
