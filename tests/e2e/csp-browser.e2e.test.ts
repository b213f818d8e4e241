import { describe, expect, it } from "vitest";
import path from "node:path";
import type { Page } from "playwright-core";
import { baseUrl, signIn } from "./helpers";
import { edgeBrowser, pages } from "./edge-fixture";

// Every page (found under app/), as every role, in Chromium under the real CSP: no violation
// reported, and the client-side parts (Konva canvases, the vote board) hydrate and draw.

const env = edgeBrowser(240_000);

declare global {
  interface Window {
    __cspViolations?: string[];
  }
}

async function watchedPage(): Promise<{ page: Page; problems: string[] }> {
  const ctx = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const problems: string[] = [];
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__cspViolations!.push(
        `${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`,
      ),
    );
  });
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (execute|load|apply|connect|create)/i.test(m.text()))
      problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  return { page, problems };
}

async function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => window.__cspViolations ?? []);
}

async function visitAll(page: Page, problems: string[], over: Record<string, string> = {}) {
  for (const p of pages()) {
    const url = baseUrl() + env.world.fill(p, over);
    await page.goto(url, { waitUntil: "load" });
    await page.waitForTimeout(250);
    for (const v of await violations(page)) problems.push(`${p}: ${v}`);
  }
}

describe("pages under the Content-Security-Policy", () => {
  it("anonymous: every page (the sign-in page and the redirects to it) loads without a violation", async () => {
    const { page, problems } = await watchedPage();
    await visitAll(page, problems);
    await page.goto(`${baseUrl()}/login`);
    await page.getByLabel("Email").waitFor();
    expect(problems).toEqual([]);
    await page.context().close();
  });

  for (const role of ["admin", "lead", "md", "exporter"] as const) {
    it(`${role}: signs in through the form and loads every page without a violation`, async () => {
      const { page, problems } = await watchedPage();
      const u = env.world.voting[role];
      await signIn(page, u.email, u.password);
      await visitAll(page, problems);
      // Sign-out posts to next-auth through the edge wrapper (its body re-read under the limit).
      await page.goto(`${baseUrl()}/`);
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL((u) => u.pathname.startsWith("/login"), { timeout: 30_000 });
      await page.goto(`${baseUrl()}/`);
      expect(new URL(page.url()).pathname).toBe("/login");
      expect(problems).toEqual([]);
      await page.context().close();
    }, 120_000);
  }

  it("the drawing canvas and the vote board hydrate and draw under the policy", async () => {
    const drawing = await watchedPage();
    await signIn(drawing.page, env.world.drawing.md.email, env.world.drawing.md.password);
    await drawing.page.goto(`${baseUrl()}/projects/${env.world.drawing.project.slug}/draw`);
    await drawing.page.waitForFunction(
      () => ((window as unknown as { __tandemDraw?: { scale(): number } }).__tandemDraw?.scale() ?? 0) > 0,
      null,
      { timeout: 30_000 },
    );
    expect(await drawing.page.locator("canvas").count()).toBeGreaterThan(0);
    await drawing.page.screenshot({ path: path.join(process.env.TMPDIR ?? "/tmp", "csp-draw.png") });
    for (const v of await violations(drawing.page)) drawing.problems.push(`draw: ${v}`);
    expect(drawing.problems).toEqual([]);

    const voting = await watchedPage();
    await signIn(voting.page, env.world.voting.md.email, env.world.voting.md.password);
    await voting.page.goto(`${baseUrl()}/projects/${env.world.voting.project.slug}/vote`);
    await voting.page.getByTestId("vote-board").waitFor();
    await voting.page.waitForFunction(() => document.querySelectorAll("canvas").length > 0, null, { timeout: 30_000 });
    await voting.page.waitForTimeout(500);
    await voting.page.screenshot({ path: path.join(process.env.TMPDIR ?? "/tmp", "csp-vote.png") });
    for (const v of await violations(voting.page)) voting.problems.push(`vote: ${v}`);
    expect(voting.problems).toEqual([]);
    await drawing.page.context().close();
    await voting.page.context().close();
  }, 120_000);
});
