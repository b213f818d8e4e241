import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { baseUrl, launch, signIn } from "./helpers";
import { db } from "../../lib/db/client";
import { store } from "../../lib/storage/store";
import { decodeMaskPng } from "../../lib/masks/png-codec";
import { registerInteractiveModel } from "../../lib/assist/mutations";
import { makeDrawingProject } from "../setup/drawing";

// The echo click model returns the click disks (positive minus negative), so what the MD gets
// is known exactly: the test checks the whole path browser → route → ONNX → proposal → mask.
let browser: Browser;
let echo: Uint8Array;
beforeAll(async () => {
  browser = await launch();
  const out = mkdtempSync(path.join(os.tmpdir(), "tandem-echo-"));
  const r = spawnSync(process.env.PYTHON ?? "/usr/bin/python3", ["-m", "tools.interactive_echo_model", "64", out], {
    cwd: path.resolve("workers/trainer"),
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(r.stderr);
  echo = new Uint8Array(readFileSync(path.join(out, "interactive.onnx")));
}, 120_000);
afterAll(async () => browser?.close());

type Smart = { available: boolean; pending: boolean; clicks: number; proposalArea: number };
const smart = (page: Page) => page.evaluate(() => window.__tandemDraw!.smart!()) as Promise<Smart>;

async function clickAt(page: Page, x: number, y: number, button: "left" | "right", expectClicks: number) {
  const c = await page.evaluate(([ix, iy]) => window.__tandemDraw!.toClient(ix, iy)!, [x, y]);
  await page.mouse.click(c.x, c.y, { button });
  await page.waitForFunction(
    (n) => {
      const s = window.__tandemDraw!.smart!();
      return !s.pending && s.clicks === n;
    },
    expectClicks,
    { timeout: 30_000 },
  );
}

describe("Smart tool in Chromium", () => {
  it("draws a mask with clicks only (add, remove, undo a click, accept) and submits it with its provenance", async () => {
    const fx = await makeDrawingProject({ images: 1, width: 640, height: 512 });
    await registerInteractiveModel(fx.project.id, {
      bytes: echo,
      meta: { size: 64, click_radius_fraction: 0.05, min_click_radius: 2 },
      trainedOnMasks: 0,
    });
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 950 } });
    const page = await ctx.newPage();
    await page.goto(`${baseUrl()}/login`);
    await page.getByLabel("Email").fill(fx.md.email);
    await page.getByLabel("Password").fill(fx.md.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL((u) => !u.pathname.startsWith("/login"), { timeout: 30_000 });
    await page.goto(`${baseUrl()}/projects/${fx.project.slug}/draw`);
    await page.waitForFunction(
      () => (window.__tandemDraw?.scale() ?? 0) > 0 && window.__tandemDraw?.smart?.().available,
      null,
      { timeout: 30_000 },
    );

    await page.keyboard.press("s");
    await expect.poll(() => page.getByRole("button", { name: "Smart (S)" }).getAttribute("aria-pressed")).toBe("true");
    await clickAt(page, 160, 150, "left", 1);
    const one = (await smart(page)).proposalArea;
    expect(one).toBeGreaterThan(1000);
    await clickAt(page, 420, 330, "left", 2);
    expect((await smart(page)).proposalArea).toBeGreaterThan(one * 1.8);
    await clickAt(page, 500, 100, "left", 3);
    // Undo takes back the last click only; the proposal is still not in the mask.
    await page.keyboard.press("Control+z");
    await page.waitForFunction(() => window.__tandemDraw!.smart!().clicks === 2);
    expect(await page.evaluate(() => window.__tandemDraw!.area())).toBe(0);
    // A right click on the second disk removes it again.
    await clickAt(page, 420, 330, "right", 3);
    const shot = path.join(os.tmpdir(), "smart-tool-proposal.png");
    await page.screenshot({ path: shot });
    await page.keyboard.press("a");
    await page.waitForFunction(() => window.__tandemDraw!.area() > 0 && window.__tandemDraw!.smart!().clicks === 0);
    await page.getByRole("button", { name: "Submit the mask (Enter)" }).click();
    await page.getByTestId("draw-note").waitFor({ timeout: 30_000 });

    const mask = await db().mask.findFirstOrThrow({ where: { projectId: fx.project.id } });
    const stored = await decodeMaskPng(await store().get(mask.storageKey));
    const at = (x: number, y: number) => stored.mask[y * 640 + x];
    expect(at(160, 150)).toBe(1);
    expect(at(420, 330)).toBe(0);
    expect(at(500, 100)).toBe(0);
    expect(at(600, 480)).toBe(0);
    expect(mask.authorId).toBe(fx.md.id);
    const prov = mask.provenance as {
      smartClicks: number;
      smartAccepts: number;
      interactiveModelVersion: number;
      toolMs: Record<string, number>;
      startedFrom: string;
    };
    expect(prov.interactiveModelVersion).toBe(1);
    expect(prov.smartClicks).toBe(4);
    expect(prov.smartAccepts).toBe(1);
    expect(prov.startedFrom).toBe("empty");
    expect(Object.keys(prov.toolMs)).toContain("smart");
    await ctx.close();

    // The lead's dashboard counts the mask as made with the Smart tool, version 1, and its
    // controls set the retrain rule and ask for a retraining (refused: nothing accepted yet).
    const leadCtx = await browser.newContext({ viewport: { width: 1400, height: 950 } });
    const lead = await leadCtx.newPage();
    await signIn(lead, fx.lead.email, fx.lead.password);
    await lead.goto(`${baseUrl()}/projects/${fx.project.slug}/dashboard`);
    const panel = lead.getByTestId("smart-tool-panel");
    await panel.waitFor({ timeout: 30_000 });
    await expect.poll(() => lead.getByTestId("smart-tool-share").textContent()).toMatch(/^1 of 1 drawn masks \(100%\)/);
    expect(await lead.getByTestId("smart-version-1").textContent()).toBe("114");
    await lead.getByTestId("smart-retrain-every").fill("3");
    await lead.getByTestId("smart-retrain-save").click();
    await panel.getByRole("status").filter({ hasText: "Retrains after every 3 accepted masks" }).waitFor();
    expect((await db().project.findUniqueOrThrow({ where: { id: fx.project.id } })).interactiveRetrainEvery).toBe(3);
    await lead.getByTestId("smart-retrain").click();
    await panel.getByRole("alert").filter({ hasText: "No mask has been accepted yet" }).waitFor();
    await panel.screenshot({ path: path.join(os.tmpdir(), "smart-tool-dashboard.png") });
    await leadCtx.close();
  }, 240_000);
});
