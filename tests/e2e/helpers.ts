import { chromium, type Browser, type Page } from "playwright-core";

export const baseUrl = () => process.env.E2E_BASE_URL!;

/** The Origin header a browser sends with Tandem's own state-changing requests (node fetch sends none). */
export const sameOrigin = () => ({ origin: new URL(baseUrl()).origin });

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
    ],
  });
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto(`${baseUrl()}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"), { timeout: 30_000 });
}

/** Signs in through next-auth's credentials endpoint and returns the session cookie header. */
export async function sessionCookie(email: string, password: string): Promise<string> {
  const csrf = await fetch(`${baseUrl()}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = csrf.headers.getSetCookie().map((c) => c.split(";")[0]);
  const r = await fetch(`${baseUrl()}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { ...sameOrigin(), "content-type": "application/x-www-form-urlencoded", cookie: jar.join("; ") },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  const cookies = [...jar, ...r.headers.getSetCookie().map((c) => c.split(";")[0])];
  const session = cookies.find(
    (c) => c.startsWith("next-auth.session-token=") || c.startsWith("__Secure-next-auth.session-token="),
  );
  if (!session) throw new Error(`sign-in failed for ${email} (${r.status})`);
  return cookies.join("; ");
}
