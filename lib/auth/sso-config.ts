import type { Env } from "../config/env";
import { AppError } from "../errors/app-error";

// Single sign-on settings, read from the environment (README, Configuration). Everything that
// widens who may sign in (domains, group roles, just-in-time accounts) is off unless set.

export type ProjectGrant = { projectSlug: string; role: "LEAD" | "MD" | "EXPORTER" };
export type Grant = { admin: true } | ProjectGrant;

export type SsoConfig = {
  idClaim: "email" | "preferred_username" | "upn";
  requireEmailVerified: boolean;
  allowedDomains: string[];
  groupsClaim: string;
  groupRoles: { group: string; grant: Grant }[];
  jit: boolean;
  defaultRoles: ProjectGrant[];
};

const projectRoles = ["LEAD", "MD", "EXPORTER"] as const;

function parseProjectGrant(text: string, variable: string): ProjectGrant {
  const [slug, role] = text.split(":").map((s) => s.trim());
  if (!slug || !projectRoles.includes(role as never)) {
    throw new AppError(
      "CONFIG",
      `Invalid configuration: ${variable} entry "${text}" must be <project-slug>:<${projectRoles.join("|")}>`,
    );
  }
  return { projectSlug: slug, role: role as ProjectGrant["role"] };
}

export function ssoConfig(e: Env): SsoConfig {
  return {
    idClaim: e.OIDC_ID_CLAIM,
    requireEmailVerified: e.OIDC_REQUIRE_EMAIL_VERIFIED,
    allowedDomains: e.OIDC_ALLOWED_DOMAINS.map((d) => d.toLowerCase().replace(/^@/, "")),
    groupsClaim: e.OIDC_GROUPS_CLAIM,
    groupRoles: e.OIDC_GROUP_ROLES.map((entry) => {
      const i = entry.lastIndexOf("=");
      if (i <= 0)
        throw new AppError(
          "CONFIG",
          `Invalid configuration: OIDC_GROUP_ROLES entry "${entry}" must be <group>=ADMIN or <group>=<project-slug>:<role>`,
        );
      const group = entry.slice(0, i).trim();
      const target = entry.slice(i + 1).trim();
      return {
        group,
        grant: target === "ADMIN" ? { admin: true as const } : parseProjectGrant(target, "OIDC_GROUP_ROLES"),
      };
    }),
    jit: e.OIDC_JIT,
    defaultRoles: e.OIDC_DEFAULT_ROLES.map((t) => parseProjectGrant(t, "OIDC_DEFAULT_ROLES")),
  };
}

/** Claims the ID token must carry (or UserInfo must supply) for a decision. */
export function neededClaims(cfg: SsoConfig): string[] {
  const c: string[] = [cfg.idClaim];
  if (cfg.idClaim === "email" && cfg.requireEmailVerified) c.push("email_verified");
  if (cfg.groupRoles.length) c.push(cfg.groupsClaim);
  return c;
}
