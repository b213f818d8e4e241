import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { baseUrl, sameOrigin, launch, signIn } from "./helpers";
import { makeProject, uniq } from "../setup/fixtures";

let browser: Browser;
let fx: Awaited<ReturnType<typeof makeProject>>;

beforeAll(async () => {
  browser = await launch();
  fx = await makeProject();
});
afterAll(async () => browser?.close());

describe("foundation in a real browser", () => {
  it("a wrong password shows a clear error and does not sign in", async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl()}/login`);
    await page.getByLabel("Email").fill(fx.md.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByTestId("form-error").textContent()).resolves.toMatch(/wrong/);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.close();
  });

  it("a lead signs in, sees the project and creates a new one", async () => {
    const page = await browser.newPage();
    await signIn(page, fx.lead.email, fx.lead.password);
    await expect(page.getByTestId("signed-in-as").textContent()).resolves.toBe(fx.lead.email);
    await expect(page.getByRole("list", { name: "Projects" }).textContent()).resolves.toContain("Test project");
    await page.getByRole("link", { name: "New project" }).click();
    const slug = uniq("e2e");
    await page.getByLabel("Name").fill("Browser-made project");
    await page.getByLabel("Address").fill(slug);
    await page.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(`**/projects/${slug}`);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Browser-made project");
    await page.close();
  });

  it("an MD is refused: no project creation, no user administration", async () => {
    const page = await browser.newPage();
    await signIn(page, fx.md.email, fx.md.password);
    // The page offers no form to an MD; the server refuses the request all the same.
    await page.goto(`${baseUrl()}/projects/new`);
    await expect(page.getByTestId("may-not-create").textContent()).resolves.toMatch(/Only administrators and leads/);
    expect(await page.getByRole("button", { name: "Create project" }).count()).toBe(0);
    const refused = await page.request.post(`${baseUrl()}/api/projects`, {
      headers: sameOrigin(),
      data: { name: "Not allowed", slug: uniq("denied") },
    });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toMatch(/Only administrators and leads/);
    const r = await page.goto(`${baseUrl()}/admin/users`);
    expect(r?.status()).toBe(404);
    await page.close();
  });

  it("pages need a session", async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl()}/`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.close();
  });
});
