import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launch } from "./helpers";
import { startApp } from "./start-app";
import { startOidcProvider } from "./oidc-provider";
import { freePort } from "../../lib/db/embedded";
import { db } from "../../lib/db/client";
import { loginMessages } from "../../app/login/messages";
import { makeUser, uniq } from "../setup/fixtures";

// Single sign-on against a real OpenID Connect provider (oidc-provider on loopback), driven in
// Chromium, plus revocation and throttling over HTTP, on a second server configured for them
// (one trusted proxy hop, so the X-Forwarded-For written by the "proxy" is the last entry).

let browser: Browser;
let app: Awaited<ReturnType<typeof startApp>>;
let idp: Awaited<ReturnType<typeof startOidcProvider>>;
const clientId = "tandem-e2e";
const clientSecret = "tandem-e2e-client-secret-0123456789abcdef";

beforeAll(async () => {
  const [appPort, idpPort] = [await freePort(), await freePort()];
  const appUrl = `http://127.0.0.1:${appPort}`;
  idp = await startOidcProvider({ port: idpPort, appUrl, clientId, clientSecret });
  app = await startApp(appPort, {
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: clientId,
    OIDC_CLIENT_SECRET: clientSecret,
    OIDC_NAME: "Test Hospital",
    TRUST_PROXY: "1",
  });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await idp?.stop();
});

/** Starts SSO from the login page, signs in at the provider as `subject`, returns where it ends. */
async function ssoSignIn(page: Page, subject: string): Promise<URL> {
  await page.goto(`${app.base}/login`);
  await page.getByRole("button", { name: "Sign in with Test Hospital" }).click();
  await page.waitForURL((u) => u.origin === idp.issuer);
  if (await page.locator('input[name="login"]').count()) {
    await page.locator('input[name="login"]').fill(subject);
    await page.locator('input[name="password"]').fill("any password");
    await page.getByRole("button", { name: "Sign-in" }).click();
  }
  await page.waitForURL((u) => u.origin === app.base || u.pathname.startsWith("/interaction"));
  if (new URL(page.url()).origin === idp.issuer) {
    const next = page.waitForURL((u) => u.origin === app.base && !u.pathname.startsWith("/api/"));
    await page.getByRole("button", { name: "Continue" }).click();
    await next;
  } else {
    await page.waitForURL((u) => u.origin === app.base && !u.pathname.startsWith("/api/"));
  }
  return new URL(page.url());
}

async function cookieHeader(ctx: BrowserContext): Promise<string> {
  return (await ctx.cookies(app.base)).map((c) => `${c.name}=${c.value}`).join("; ");
}

async function refusalAudited(subject: string, reason: string) {
  for (let i = 0; i < 20; i++) {
    const rows = await db().auditLog.findMany({
      where: { action: "auth.sso_refused" },
      orderBy: { id: "desc" },
      take: 50,
    });
    if (rows.some((r) => JSON.stringify(r.after).includes(subject) && JSON.stringify(r.after).includes(reason)))
      return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function expectRefusal(page: Page, end: URL, code: keyof typeof loginMessages) {
  expect(end.pathname).toBe("/login");
  expect(end.searchParams.get("error")).toBe(code);
  await expect(page.getByTestId("form-error").textContent()).resolves.toBe(loginMessages[code]);
}

describe("single sign-on with a conformant OpenID Connect provider", () => {
  it("signs in with claims that only UserInfo carries, binds the subject and records the sign-in", async () => {
    const u = await makeUser();
    const subject = uniq("sub");
    idp.accounts.set(subject, { email: u.email, email_verified: true, name: "Dr Conformant" });
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const end = await ssoSignIn(page, subject);
    expect(end.pathname).toBe("/");
    await expect(page.getByTestId("signed-in-as").textContent()).resolves.toBe(u.email);
    const row = await db().user.findUniqueOrThrow({ where: { id: u.id } });
    expect(row).toMatchObject({ ssoIssuer: idp.issuer, ssoSubject: subject });
    expect(row.lastLoginAt).not.toBeNull();
    // The provider really kept the email out of the ID token: Tandem had to ask UserInfo.
    const session = await db().session.findFirstOrThrow({ where: { userId: u.id, method: "sso" } });
    const idClaims = JSON.parse(Buffer.from(session.idToken!.split(".")[1], "base64url").toString());
    expect(idClaims.sub).toBe(subject);
    expect(idClaims.email).toBeUndefined();
    const logins = await db().auditLog.findMany({ where: { action: "auth.login", objectId: u.id } });
    expect(logins.some((l) => JSON.stringify(l.after).includes('"method":"sso"'))).toBe(true);
    await ctx.close();
  });

  it("an administrator creates a single sign-on user without a password on the Users page, who then signs in", async () => {
    const admin = await makeUser({ isAdmin: true });
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${app.base}/login`);
    await page.getByLabel("Email").fill(admin.email);
    await page.getByLabel("Password").fill(admin.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL((x) => !x.pathname.startsWith("/login"));
    await page.goto(`${app.base}/admin/users`);
    const email = `${uniq("sso-only")}@test.local`;
    const form = page.getByRole("form", { name: "New user" });
    await form.getByLabel("Email", { exact: true }).fill(email);
    await form.getByLabel("Full name").fill("Dr Single Sign-On");
    await expect(form.getByLabel("Initial password").count()).resolves.toBe(0);
    await form.getByRole("button", { name: "Create user" }).click();
    await page.getByRole("cell", { name: email, exact: true }).waitFor();
    const created = await db().user.findUniqueOrThrow({ where: { email } });
    expect(created.passwordHash).toBeNull();

    const subject = uniq("sub");
    idp.accounts.set(subject, { email, email_verified: true });
    const c2 = await browser.newContext();
    const p2 = await c2.newPage();
    expect((await ssoSignIn(p2, subject)).pathname).toBe("/");
    await expect(p2.getByTestId("signed-in-as").textContent()).resolves.toBe(email);
    const ssoCookie = await cookieHeader(c2);
    expect((await fetch(`${app.base}/api/projects`, { headers: { cookie: ssoCookie } })).status).toBe(200);

    // Disabling the account ends its open session at once.
    await page.reload();
    await page.getByRole("button", { name: `Disable ${email}` }).click();
    await page.getByRole("button", { name: `Enable ${email}` }).waitFor();
    expect((await fetch(`${app.base}/api/projects`, { headers: { cookie: ssoCookie } })).status).toBe(401);
    await c2.close();
    await ctx.close();
  });

  it("sign-out revokes the session at once (the old cookie is refused) and ends the provider session", async () => {
    const u = await makeUser();
    const subject = uniq("sub");
    idp.accounts.set(subject, { email: u.email, email_verified: true });
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    expect((await ssoSignIn(page, subject)).pathname).toBe("/");
    const oldCookie = await cookieHeader(ctx);
    expect((await fetch(`${app.base}/api/projects`, { headers: { cookie: oldCookie } })).status).toBe(200);
    await page.getByRole("button", { name: "Sign out" }).click();
    // RP-initiated logout: the provider asks, then sends the browser back to Tandem's login page.
    await page.waitForURL((u2) => u2.origin === idp.issuer);
    await page.getByRole("button", { name: "Yes, sign me out" }).click();
    await page.waitForURL((u2) => u2.origin === app.base && u2.pathname === "/login");
    expect((await fetch(`${app.base}/api/projects`, { headers: { cookie: oldCookie } })).status).toBe(401);
    // The provider no longer has a session: signing in again asks for the login.
    await page.getByRole("button", { name: "Sign in with Test Hospital" }).click();
    await page.waitForURL((u2) => u2.origin === idp.issuer);
    await expect(page.locator('input[name="login"]').count()).resolves.toBe(1);
    await ctx.close();
  });

  it("refuses an unverified email with a message that says what to do", async () => {
    const u = await makeUser();
    const subject = uniq("sub");
    idp.accounts.set(subject, { email: u.email, email_verified: false });
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await expectRefusal(page, await ssoSignIn(page, subject), "SsoEmailNotVerified");
    expect((await db().user.findUniqueOrThrow({ where: { id: u.id } })).ssoSubject).toBeNull();
    expect(await refusalAudited(subject, "SsoEmailNotVerified")).toBe(true);
    await ctx.close();
  });

  it("after the first binding, the same email with another subject is refused", async () => {
    const u = await makeUser();
    const [first, second] = [uniq("sub"), uniq("sub")];
    idp.accounts.set(first, { email: u.email, email_verified: true });
    idp.accounts.set(second, { email: u.email, email_verified: true });
    const c1 = await browser.newContext();
    expect((await ssoSignIn(await c1.newPage(), first)).pathname).toBe("/");
    await c1.close();
    const c2 = await browser.newContext();
    const page = await c2.newPage();
    await expectRefusal(page, await ssoSignIn(page, second), "SsoIdentityMismatch");
    expect((await db().user.findUniqueOrThrow({ where: { id: u.id } })).ssoSubject).toBe(first);
    expect(await refusalAudited(second, "SsoIdentityMismatch")).toBe(true);
    await c2.close();
  });

  it("refuses an unknown email without creating an account", async () => {
    const email = `${uniq("stranger")}@test.local`;
    const subject = uniq("sub");
    idp.accounts.set(subject, { email, email_verified: true });
    const before = await db().user.count();
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await expectRefusal(page, await ssoSignIn(page, subject), "SsoUnknownUser");
    expect(await db().user.findUnique({ where: { email } })).toBeNull();
    expect(await db().user.count()).toBe(before);
    expect(await refusalAudited(subject, "SsoUnknownUser")).toBe(true);
    await ctx.close();
  });

  it("refuses a callback whose state was tampered with", async () => {
    const u = await makeUser();
    const subject = uniq("sub");
    idp.accounts.set(subject, { email: u.email, email_verified: true });
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    // The provider echoes the state it was given; alter it on the way there, once.
    let tampered = false;
    await page.route(
      (x) => x.origin === idp.issuer && x.pathname === "/auth",
      async (route) => {
        if (tampered) return route.continue();
        tampered = true;
        const to = new URL(route.request().url());
        to.searchParams.set("state", `${to.searchParams.get("state")}-tampered`);
        await route.fulfill({ status: 302, headers: { location: to.toString() } });
      },
    );
    const end = await ssoSignIn(page, subject);
    expect(tampered).toBe(true);
    await expectRefusal(page, end, "OAuthCallback");
    expect((await fetch(`${app.base}/api/projects`, { headers: { cookie: await cookieHeader(ctx) } })).status).toBe(
      401,
    );
    expect((await db().user.findUniqueOrThrow({ where: { id: u.id } })).ssoSubject).toBeNull();
    expect(await refusalAudited("", "OAUTH_CALLBACK_ERROR")).toBe(true);
    await ctx.close();
  });
});

/** Signs in over next-auth's credentials endpoint; `via` is the address the trusted proxy saw. */
async function passwordSignIn(email: string, password: string, via: string, spoofed = uniq("spoof")) {
  const xff = `${spoofed}, ${via}`;
  const csrf = await fetch(`${app.base}/api/auth/csrf`, { headers: { "x-forwarded-for": xff } });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = csrf.headers.getSetCookie().map((c) => c.split(";")[0]);
  const r = await fetch(`${app.base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.join("; "), "x-forwarded-for": xff },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  const body = (await r.json().catch(() => ({}))) as { url?: string };
  const cookies = [...jar, ...r.headers.getSetCookie().map((c) => c.split(";")[0])];
  const signedIn = cookies.some((c) => c.startsWith("next-auth.session-token="));
  return {
    signedIn,
    cookie: cookies.join("; "),
    csrfToken,
    error: body.url ? new URL(body.url).searchParams.get("error") : null,
  };
}

describe("password sign-in over HTTP", () => {
  it("sign-out refuses the old cookie at once", async () => {
    const u = await makeUser();
    const s = await passwordSignIn(u.email, u.password, "192.0.2.10");
    expect(s.signedIn).toBe(true);
    expect((await fetch(`${app.base}/api/projects`, { headers: { cookie: s.cookie } })).status).toBe(200);
    const out = await fetch(`${app.base}/api/auth/signout`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: s.cookie },
      body: new URLSearchParams({ csrfToken: s.csrfToken, json: "true" }),
    });
    expect(out.status).toBeLessThan(400);
    expect((await fetch(`${app.base}/api/projects`, { headers: { cookie: s.cookie } })).status).toBe(401);
  });

  it("50 wrong passwords for random emails from one address limit that address only, whatever it writes in X-Forwarded-For", async () => {
    const u = await makeUser();
    const attacker = `203.0.113.${Math.floor(Math.random() * 200) + 20}`;
    const errors: (string | null)[] = [];
    for (let i = 0; i < 50; i++)
      errors.push((await passwordSignIn(`${uniq("nobody")}@test.local`, "wrong password!", attacker)).error);
    expect(errors[0]).toBe("CredentialsSignin");
    expect(errors.at(-1)).toMatch(/^RATE_LIMITED:Too many failed sign-ins from your network/);
    // A fresh spoofed value does not help the attacker ...
    const again = await passwordSignIn(u.email, u.password, attacker, "10.9.8.7");
    expect(again.signedIn).toBe(false);
    // ... and everyone else still signs in.
    expect((await passwordSignIn(u.email, u.password, "192.0.2.77")).signedIn).toBe(true);
  });

  it("50 wrong passwords for one email slow and lock that account only; other accounts still sign in", async () => {
    const victim = await makeUser();
    const other = await makeUser();
    const errors: (string | null)[] = [];
    for (let i = 0; i < 50; i++)
      errors.push((await passwordSignIn(victim.email, `guess ${i} wrong`, `198.18.${i}.1`)).error);
    expect(errors.slice(0, 4).every((e) => e === "CredentialsSignin")).toBe(true);
    expect(errors.at(-1)).toMatch(/^RATE_LIMITED:.*(wait \d+ second|account is locked)/);
    expect((await passwordSignIn(other.email, other.password, "192.0.2.99")).signedIn).toBe(true);
  });
});
