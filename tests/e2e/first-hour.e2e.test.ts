// What a new user meets in the first hour: icons and the web manifest served, each role shown
// only what it may do, the drawing page's brush, queue count and shortcut hint, and the analyse
// form's model limit (the same constant the API enforces).
import { describe, expect, it, vi } from "vitest";
import type { Page } from "playwright-core";
import { baseUrl, signIn } from "./helpers";
import { edgeBrowser } from "./edge-fixture";
import { db } from "../../lib/db/client";
import { trainingCompute } from "../../lib/jobs/queries";
import { MAX_ANALYSE_MODELS } from "../../lib/ml/limits";
import { makeDrawingProject } from "../setup/drawing";

// Several browser sessions per test on a shared machine: a long budget, each wait still bounded.
vi.setConfig({ testTimeout: 600_000 });
const env = edgeBrowser(600_000);

async function as(u: { email: string; password: string }): Promise<Page> {
  const page = await (await env.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(90_000); // a loaded shared machine: waits are generous, assertions are not
  await signIn(page, u.email, u.password);
  return page;
}

describe("public files", () => {
  const files: [string, RegExp][] = [
    ["/favicon.ico", /^image\/(x-icon|vnd\.microsoft\.icon)/],
    ["/icon.svg", /^image\/svg\+xml/],
    ["/icon-192.png", /^image\/png/],
    ["/icon-512.png", /^image\/png/],
    ["/apple-touch-icon.png", /^image\/png/],
    ["/manifest.webmanifest", /^application\/manifest\+json/],
  ];
  for (const [file, type] of files) {
    it(`${file} is served to anyone with its content type`, async () => {
      const r = await fetch(`${baseUrl()}${file}`, { redirect: "manual" });
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toMatch(type);
      expect(r.headers.get("x-content-type-options")).toBe("nosniff");
      expect((await r.arrayBuffer()).byteLength).toBeGreaterThan(100);
    });
  }

  it("pages link them, and the browser loads them under the page's policy", async () => {
    const page = await (await env.browser.newContext()).newPage();
    page.setDefaultTimeout(90_000);
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${baseUrl()}/login`);
    const manifest = await page.locator('link[rel="manifest"]').getAttribute("href");
    expect(manifest).toBe("/manifest.webmanifest");
    const icons = await page.locator('link[rel="icon"]').evaluateAll((ls) => ls.map((l) => l.getAttribute("href")));
    expect(icons).toContain("/favicon.ico");
    expect(await page.locator('link[rel="apple-touch-icon"]').count()).toBe(1);
    // The browser fetches the manifest under the page's CSP (manifest-src falls back to 'self').
    const parsed = await page.evaluate(async (href) => (await fetch(href!)).json(), manifest);
    expect(parsed.icons.length).toBeGreaterThanOrEqual(3);
    await page.waitForTimeout(300);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe("each role sees what it may do", () => {
  it("MDs and exporters get no New project button or form; leads and admins do", async () => {
    const v = env.world.voting;
    for (const [who, may] of [
      [v.md, false],
      [v.exporter, false],
      [v.lead, true],
      [v.admin, true],
    ] as const) {
      const page = await as(who);
      await page.goto(`${baseUrl()}/`);
      await page.getByRole("heading", { name: "Projects" }).waitFor();
      expect(await page.getByRole("link", { name: "New project" }).count(), who.email).toBe(may ? 1 : 0);
      await page.goto(`${baseUrl()}/projects/new`);
      expect(await page.getByTestId("may-not-create").count(), who.email).toBe(may ? 0 : 1);
      expect(await page.getByRole("button", { name: /create/i }).count(), who.email).toBe(may ? 1 : 0);
      if (may) {
        // The form's default preset follows the workers' compute (no GPU worker here: cpu-small).
        const { compute } = await trainingCompute();
        const preset = compute === "gpu" ? "paper-gpu" : "cpu-small";
        expect(await page.getByTestId("preset").inputValue(), who.email).toBe(preset);
        expect(await page.getByTestId("preset-default").textContent()).toContain(`Default ${preset}:`);
      }
      expect(await page.getByRole("link", { name: "Users" }).count(), who.email).toBe(who === v.admin ? 1 : 0);
      await page.context().close();
    }
  });

  it("the project page offers each role its own actions only", async () => {
    const v = env.world.voting;
    const expected: [typeof v.md, string[]][] = [
      [v.md, ["action-draw", "action-vote"]],
      [v.lead, ["action-dashboard", "action-export", "action-import", "action-analyse", "action-runs"]],
      [v.exporter, ["action-export", "action-analyse", "action-runs"]],
    ];
    for (const [who, actions] of expected) {
      const page = await as(who);
      await page.goto(`${baseUrl()}/projects/${v.project.slug}`);
      await page.getByRole("heading", { level: 1 }).waitFor();
      const shown = await page
        .locator('[data-testid^="action-"]')
        .evaluateAll((ls) => ls.map((l) => l.getAttribute("data-testid")));
      expect(shown.sort(), who.email).toEqual([...actions].sort());
      await page.context().close();
    }
  });
});

describe("drawing page", () => {
  it("starts with a brush sized to the image, counts the MD's queue, and shows the shortcuts", async () => {
    const fx = await makeDrawingProject({ images: 3, width: 256, height: 256 });
    const page = await as(fx.md);
    await page.goto(`${baseUrl()}/projects/${fx.project.slug}/draw`);
    await page.waitForFunction(
      () => ((window as unknown as { __tandemDraw?: { scale(): number } }).__tandemDraw?.scale() ?? 0) > 0,
      null,
      { timeout: 30_000 },
    );
    expect(Number(await page.getByLabel("Brush size (px)").inputValue())).toBe(5);
    await expect(page.getByTestId("queue-left").textContent()).resolves.toBe(
      "3 images left in your queue, this one included",
    );
    const hint = await page.getByTestId("shortcut-hint").textContent();
    for (const part of ["brush size", "undo", "submit", "all shortcuts"]) expect(hint).toContain(part);
    await page.context().close();
  });
});

describe("analyse form", () => {
  it(`stops at ${MAX_ANALYSE_MODELS} models, the limit the API enforces`, async () => {
    const v = env.world.voting;
    const run = await db().modelRun.findFirstOrThrow({
      where: { projectId: v.project.id, status: "SUCCEEDED", artifactKey: { not: null } },
    });
    for (let f = 0; f < MAX_ANALYSE_MODELS + 1; f++) {
      await db().modelRun.create({
        data: {
          projectId: run.projectId,
          roundId: run.roundId,
          arch: `extra${f}`,
          encoder: run.encoder,
          fold: f,
          config: run.config ?? {},
          status: "SUCCEEDED",
          artifactKey: run.artifactKey,
        },
      });
    }
    const page = await as(v.lead);
    await page.goto(`${baseUrl()}/projects/${v.project.slug}/analyse`);
    const boxes = page.getByRole("group").getByRole("checkbox");
    const n = await boxes.count();
    expect(n).toBeGreaterThan(MAX_ANALYSE_MODELS);
    for (let i = 0; i < n; i++)
      if (!(await boxes.nth(i).isChecked()) && (await boxes.nth(i).isEnabled())) await boxes.nth(i).check();
    let checked = 0;
    for (let i = 0; i < n; i++) if (await boxes.nth(i).isChecked()) checked++;
    expect(checked).toBe(MAX_ANALYSE_MODELS);
    await expect(page.getByTestId("models-chosen").textContent()).resolves.toBe(
      `${MAX_ANALYSE_MODELS} of at most ${MAX_ANALYSE_MODELS} chosen`,
    );
    await page.context().close();
  });
});
