import { describe, expect, it } from "vitest";
import { resolveSsoSignIn } from "../../lib/auth/sso";
import { ssoConfig, type SsoConfig } from "../../lib/auth/sso-config";
import { parseEnv } from "../../lib/config/env";
import { db } from "../../lib/db/client";
import { makeProject, makeUser, uniq } from "../setup/fixtures";

const base = {
  AUTH_SECRET: "a".repeat(8) + "b1c2d3e4f5g6h7i8j9k0l1m2n3o4p5q6",
  PSEUDONYM_KEY: "0123456789abcdefghijklmnopqrstuvwxyz",
  OIDC_ISSUER: "https://idp.test/",
  OIDC_CLIENT_ID: "c",
  OIDC_CLIENT_SECRET: "s",
};
const cfg = (extra: Record<string, string> = {}): SsoConfig => ssoConfig(parseEnv({ ...base, ...extra }));
const issuer = "https://idp.test/";
const claims = (email: string, extra: Record<string, unknown> = {}) => ({
  iss: issuer,
  sub: uniq("sub"),
  email,
  email_verified: true,
  ...extra,
});

async function audits(action: string, sub: string) {
  const rows = await db().auditLog.findMany({ where: { action } });
  return rows.filter((r) => JSON.stringify(r.after).includes(sub));
}

describe("single sign-on decisions", () => {
  it("binds issuer + subject at the first sign-in, matches on them later and never on the email alone", async () => {
    const u = await makeUser();
    const c = claims(u.email);
    expect(await resolveSsoSignIn(c, cfg())).toEqual({ ok: true, userId: u.id });
    const row = await db().user.findUniqueOrThrow({ where: { id: u.id } });
    expect(row).toMatchObject({ ssoIssuer: issuer, ssoSubject: c.sub });
    expect(row.lastLoginAt).not.toBeNull();
    // Later: the same subject signs in even if the provider changed the email.
    expect(await resolveSsoSignIn({ ...c, email: "renamed@elsewhere.test" }, cfg())).toEqual({
      ok: true,
      userId: u.id,
    });
    // Another subject with the same email is refused.
    const other = claims(u.email);
    expect(await resolveSsoSignIn(other, cfg())).toMatchObject({ ok: false, reason: "SsoIdentityMismatch" });
    expect(await audits("auth.sso_refused", other.sub)).toHaveLength(1);
    expect(await audits("auth.login", c.sub)).toHaveLength(2);
  });

  it("refuses an unverified email, and accepts it only when the setting is turned off", async () => {
    const u = await makeUser();
    expect(await resolveSsoSignIn(claims(u.email, { email_verified: false }), cfg())).toMatchObject({
      ok: false,
      reason: "SsoEmailNotVerified",
    });
    expect(await resolveSsoSignIn(claims(u.email, { email_verified: undefined }), cfg())).toMatchObject({
      ok: false,
      reason: "SsoEmailNotVerified",
    });
    expect((await db().user.findUniqueOrThrow({ where: { id: u.id } })).ssoSubject).toBeNull();
    expect(
      await resolveSsoSignIn(claims(u.email, { email_verified: false }), cfg({ OIDC_REQUIRE_EMAIL_VERIFIED: "0" })),
    ).toMatchObject({ ok: true, userId: u.id });
  });

  it("refuses an unknown identity without creating an account, unless just-in-time provisioning is on", async () => {
    const email = `${uniq("new")}@hospital.test`;
    expect(await resolveSsoSignIn(claims(email), cfg())).toMatchObject({ ok: false, reason: "SsoUnknownUser" });
    expect(await db().user.findUnique({ where: { email } })).toBeNull();
    const { project } = await makeProject();
    const r = await resolveSsoSignIn(
      claims(email, { name: "Dr New" }),
      cfg({ OIDC_JIT: "1", OIDC_DEFAULT_ROLES: `${project.slug}:MD` }),
    );
    expect(r.ok).toBe(true);
    const created = await db().user.findUniqueOrThrow({ where: { email }, include: { memberships: true } });
    expect(created).toMatchObject({ name: "Dr New", passwordHash: null, isAdmin: false });
    expect(created.memberships.map((m) => [m.projectId, m.roles])).toEqual([[project.id, ["MD"]]]);
  });

  it("uses the configured identifying claim and allowed domains", async () => {
    const u = await makeUser();
    const upnClaims = { iss: issuer, sub: uniq("sub"), upn: u.email.toUpperCase() };
    expect(await resolveSsoSignIn(upnClaims, cfg({ OIDC_ID_CLAIM: "upn" }))).toEqual({ ok: true, userId: u.id });
    const v = await makeUser();
    expect(await resolveSsoSignIn(claims(v.email), cfg({ OIDC_ALLOWED_DOMAINS: "hospital.test" }))).toMatchObject({
      ok: false,
      reason: "SsoDomainNotAllowed",
    });
    expect(
      await resolveSsoSignIn(claims(v.email), cfg({ OIDC_ALLOWED_DOMAINS: "hospital.test,test.local" })),
    ).toMatchObject({ ok: true });
    expect(await resolveSsoSignIn({ iss: issuer, sub: uniq("s") }, cfg())).toMatchObject({
      ok: false,
      reason: "SsoMissingClaim",
    });
  });

  it("maps groups to roles; an ADMIN mapping follows group membership", async () => {
    const { project } = await makeProject();
    const u = await makeUser();
    const c = claims(u.email, { groups: ["rad-leads", "tandem-admins"] });
    const mapping = { OIDC_GROUP_ROLES: `tandem-admins=ADMIN,rad-leads=${project.slug}:LEAD` };
    expect(await resolveSsoSignIn(c, cfg(mapping))).toMatchObject({ ok: true });
    let row = await db().user.findUniqueOrThrow({ where: { id: u.id }, include: { memberships: true } });
    expect(row.isAdmin).toBe(true);
    expect(row.memberships[0].roles).toEqual(["LEAD"]);
    expect(await resolveSsoSignIn({ ...c, groups: ["rad-leads"] }, cfg(mapping))).toMatchObject({ ok: true });
    row = await db().user.findUniqueOrThrow({ where: { id: u.id }, include: { memberships: true } });
    expect(row.isAdmin).toBe(false);
  });

  it("refuses a disabled account even when the identity is bound", async () => {
    const u = await makeUser();
    const c = claims(u.email);
    expect(await resolveSsoSignIn(c, cfg())).toMatchObject({ ok: true });
    await db().user.update({ where: { id: u.id }, data: { disabled: true } });
    expect(await resolveSsoSignIn(c, cfg())).toMatchObject({ ok: false, reason: "SsoDisabled" });
  });

  it("rejects malformed role settings with a message naming the variable", () => {
    expect(() => cfg({ OIDC_GROUP_ROLES: "admins" })).toThrow(/OIDC_GROUP_ROLES/);
    expect(() => cfg({ OIDC_DEFAULT_ROLES: "proj:KING" })).toThrow(/OIDC_DEFAULT_ROLES/);
    expect(() => parseEnv({ ...base, PASSWORD_LOGIN: "0", OIDC_ISSUER: undefined })).toThrow(
      /PASSWORD_LOGIN=0 needs OIDC_ISSUER/,
    );
  });
});
