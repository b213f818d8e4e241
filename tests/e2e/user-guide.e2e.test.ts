// Screenshots for docs/USER-GUIDE.md, taken from the production build so the guide shows the
// pages as they are: each run rewrites docs/user-guide/*.png (palette PNGs, kept small).
import { mkdirSync, statSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Browser, Page } from "playwright-core";
import { baseUrl, launch, signIn } from "./helpers";
import { buildEdgeWorld, type EdgeWorld } from "./edge-fixture";

const OUT = path.resolve("docs/user-guide");
const WIDTH = 1100;
// Several browser sessions per test on a shared machine: a long budget, each wait still bounded.
vi.setConfig({ testTimeout: 600_000 });
let browser: Browser;
let world: EdgeWorld;
beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  browser = await launch();
  world = await buildEdgeWorld();
}, 600_000);
afterAll(async () => browser?.close());

async function shoot(page: Page, name: string) {
  await page.waitForTimeout(400); // let canvases paint
  const raw = await page.screenshot({ type: "png" });
  const file = path.join(OUT, `${name}.png`);
  await sharp(raw)
    .resize({ width: 880 })
    .png({ palette: true, colours: 64, compressionLevel: 9, effort: 10 })
    .toFile(file);
  const meta = await sharp(file).metadata();
  expect(meta.width).toBe(880);
  expect(statSync(file).size).toBeLessThan(250_000); // kept small for the repository; content varies run to run
}

async function as(u: { email: string; password: string }): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: WIDTH, height: 700 } })).newPage();
  page.setDefaultTimeout(90_000); // a loaded shared machine: waits are generous, assertions are not
  await signIn(page, u.email, u.password);
  return page;
}

describe("user guide screenshots", () => {
  it("MD: drawing and the blinded vote", async () => {
    const draw = await as(world.drawing.md);
    await draw.goto(`${baseUrl()}/projects/${world.drawing.project.slug}/draw`);
    await draw.waitForFunction(
      () => ((window as unknown as { __tandemDraw?: { scale(): number } }).__tandemDraw?.scale() ?? 0) > 0,
      null,
      { timeout: 30_000 },
    );
    await draw.getByTestId("queue-left").waitFor();
    await shoot(draw, "md-draw");
    await draw.context().close();

    const vote = await as(world.voting.md);
    await vote.goto(`${baseUrl()}/projects/${world.voting.project.slug}/vote`);
    await vote.getByTestId("vote-board").waitFor();
    await vote.waitForFunction(() => document.querySelectorAll("canvas").length > 0, null, { timeout: 30_000 });
    await shoot(vote, "md-vote");
    await vote.context().close();
  });

  it("lead: the project page and the dashboard", async () => {
    const page = await as(world.voting.lead);
    await page.goto(`${baseUrl()}/projects/${world.voting.project.slug}`);
    await page.getByTestId("action-dashboard").waitFor();
    await shoot(page, "lead-project");
    await page.goto(`${baseUrl()}/projects/${world.voting.project.slug}/dashboard`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    await shoot(page, "lead-dashboard");
    await page.context().close();
  });

  it("exporter: the export page", async () => {
    const page = await as(world.voting.exporter);
    await page.goto(`${baseUrl()}/projects/${world.voting.project.slug}/exports`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    await shoot(page, "exporter-exports");
    await page.context().close();
  });
});
