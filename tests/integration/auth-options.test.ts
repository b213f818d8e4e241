import { afterEach, describe, expect, it, vi } from "vitest";

// Which sign-in methods the app offers follows the settings.
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  vi.resetModules();
});

async function providerIds(extra: Record<string, string>) {
  Object.assign(process.env, extra);
  vi.resetModules();
  const { authOptions } = await import("../../app/_lib/auth-options");
  return authOptions().providers.map((p) => p.id);
}

describe("sign-in methods", () => {
  it("offers passwords by default, adds SSO with an issuer, and PASSWORD_LOGIN=0 leaves SSO only", async () => {
    delete process.env.OIDC_ISSUER;
    expect(await providerIds({})).toEqual(["credentials"]);
    const sso = { OIDC_ISSUER: "https://idp.test", OIDC_CLIENT_ID: "c", OIDC_CLIENT_SECRET: "s" };
    expect(await providerIds(sso)).toEqual(["credentials", "oidc"]);
    expect(await providerIds({ ...sso, PASSWORD_LOGIN: "0" })).toEqual(["oidc"]);
  });
});
