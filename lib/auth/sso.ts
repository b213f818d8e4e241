import { recordAudit } from "../audit/mutations";
import { logger } from "../log/logger";
import { findProjectIdsBySlug, findUserByEmail, findUserBySso } from "./queries";
import { bindSsoIdentity, createSsoUser, grantRoles, touchLogin } from "./mutations";
import type { ProjectGrant, SsoConfig } from "./sso-config";

// Decides a single sign-on attempt from the provider's verified claims. The identity is the
// issuer + subject pair: the first sign-in binds it to the Tandem account with the same
// identifier, and every later sign-in matches on the pair alone, never on the email.

export const ssoRefusals = [
  "SsoMissingClaim",
  "SsoEmailNotVerified",
  "SsoDomainNotAllowed",
  "SsoUnknownUser",
  "SsoIdentityMismatch",
  "SsoDisabled",
] as const;
export type SsoRefusal = (typeof ssoRefusals)[number];

export type SsoClaims = Record<string, unknown>;
export type SsoOutcome = { ok: true; userId: string } | { ok: false; reason: SsoRefusal; detail: string };

const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : null);

function groupsOf(claims: SsoClaims, claim: string): string[] {
  const v = claims[claim];
  if (Array.isArray(v)) return v.filter((g): g is string => typeof g === "string");
  return typeof v === "string" ? v.split(/[ ,]+/).filter(Boolean) : [];
}

async function refuse(
  reason: SsoRefusal,
  detail: string,
  claims: SsoClaims,
  userId: string | null = null,
): Promise<SsoOutcome> {
  await recordAudit({
    action: "auth.sso_refused",
    objectType: "User",
    objectId: userId,
    after: { reason, detail, issuer: str(claims.iss), subject: str(claims.sub) },
  });
  return { ok: false, reason, detail };
}

async function applyRoles(
  userId: string,
  claims: SsoConfig["groupRoles"],
  groups: string[],
  extra: ProjectGrant[],
  reason: string,
) {
  const matched = claims.filter((m) => groups.includes(m.group)).map((m) => m.grant);
  const projectGrants = [...extra, ...matched.filter((g): g is ProjectGrant => !("admin" in g))];
  const ids = await findProjectIdsBySlug([...new Set(projectGrants.map((g) => g.projectSlug))]);
  const grants = projectGrants.flatMap((g) => {
    const projectId = ids.get(g.projectSlug);
    if (!projectId) logger.warn(`single sign-on: no project "${g.projectSlug}" for a configured role; skipped`);
    return projectId ? [{ projectId, role: g.role }] : [];
  });
  // An ADMIN mapping, when configured, is authoritative: leaving the group removes admin.
  const adminMapped = claims.some((m) => "admin" in m.grant);
  await grantRoles(userId, grants, adminMapped ? matched.some((g) => "admin" in g) : undefined, reason);
}

export async function resolveSsoSignIn(claims: SsoClaims, cfg: SsoConfig): Promise<SsoOutcome> {
  const issuer = str(claims.iss);
  const subject = str(claims.sub);
  if (!issuer || !subject) return refuse("SsoMissingClaim", "the provider sent no issuer or subject", claims);
  const groups = groupsOf(claims, cfg.groupsClaim);

  const bound = await findUserBySso(issuer, subject);
  if (bound) {
    if (bound.disabled) return refuse("SsoDisabled", "the Tandem account is disabled", claims, bound.id);
    return signedIn(bound.id, claims, cfg, groups, "bound");
  }

  const identifier = str(claims[cfg.idClaim])?.toLowerCase() ?? null;
  if (!identifier) return refuse("SsoMissingClaim", `the provider sent no "${cfg.idClaim}" claim`, claims);
  if (cfg.idClaim === "email" && cfg.requireEmailVerified && claims.email_verified !== true) {
    return refuse(
      "SsoEmailNotVerified",
      `the provider does not vouch for ${identifier} (email_verified is not true)`,
      claims,
    );
  }
  const domain = identifier.includes("@") ? identifier.slice(identifier.lastIndexOf("@") + 1) : "";
  if (cfg.allowedDomains.length && !cfg.allowedDomains.includes(domain)) {
    return refuse("SsoDomainNotAllowed", `${domain || identifier} is not an allowed domain`, claims);
  }

  const user = await findUserByEmail(identifier);
  if (user) {
    if (user.ssoSubject)
      return refuse(
        "SsoIdentityMismatch",
        `${identifier} is linked to another single sign-on identity`,
        claims,
        user.id,
      );
    if (user.disabled) return refuse("SsoDisabled", "the Tandem account is disabled", claims, user.id);
    if (!(await bindSsoIdentity(user.id, issuer, subject))) {
      return refuse(
        "SsoIdentityMismatch",
        `${identifier} was linked to another single sign-on identity`,
        claims,
        user.id,
      );
    }
    await recordAudit({
      action: "auth.sso_bound",
      objectType: "User",
      objectId: user.id,
      actorId: user.id,
      after: { issuer, subject },
    });
    return signedIn(user.id, claims, cfg, groups, "first");
  }
  if (!cfg.jit) return refuse("SsoUnknownUser", `no Tandem account for ${identifier}`, claims);
  const name = str(claims.name) ?? identifier;
  const created = await createSsoUser({ email: identifier, name, issuer, subject });
  await applyRoles(created.id, cfg.groupRoles, groups, cfg.defaultRoles, "sso-jit");
  return signedIn(created.id, claims, cfg, groups, "provisioned", true);
}

async function signedIn(
  userId: string,
  claims: SsoClaims,
  cfg: SsoConfig,
  groups: string[],
  how: string,
  rolesDone = false,
): Promise<SsoOutcome> {
  if (!rolesDone && cfg.groupRoles.length) await applyRoles(userId, cfg.groupRoles, groups, [], "sso-groups");
  await touchLogin(userId);
  await recordAudit({
    action: "auth.login",
    objectType: "User",
    objectId: userId,
    actorId: userId,
    after: { method: "sso", how, issuer: str(claims.iss), subject: str(claims.sub) },
  });
  return { ok: true, userId };
}
