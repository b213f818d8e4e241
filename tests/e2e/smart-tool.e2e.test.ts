import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createHash } from "node:crypto";
import { baseUrl, launch, sessionCookie, signIn } from "./helpers";
import { db } from "../../lib/db/client";
import { store } from "../../lib/storage/store";
import { decodeMaskPng } from "../../lib/masks/png-codec";
import { importInteractiveModel, registerInteractiveModel } from "../../lib/assist/mutations";
import { makeDrawingProject } from "../setup/drawing";
import { makeUser } from "../setup/fixtures";
import { echoClickModel } from "../setup/echo-click-model";

// The echo click model returns the click disks (positive minus negative), so what the MD gets
// is known exactly: the test checks the whole path model file → onnxruntime-web in the page →
// proposal → mask, and that no click went to the server; then the server fallback.
let browser: Browser;
let echo: Uint8Array;
beforeAll(async () => {
  browser = await launch();
  echo = echoClickModel(64).bytes;
}, 120_000);
afterAll(async () => browser?.close());

type Smart = {
  available: boolean;
  pending: boolean;
  clicks: number;
  proposalArea: number;
  answeredBy: string | null;
  browser: string;
};
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

/** An MD's page on the drawing workspace, counting the Smart tool's requests to the server. */
async function openWorkspace(fx: Awaited<ReturnType<typeof makeDrawingProject>>, blockRuntime = false) {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 950 } });
  if (blockRuntime) await ctx.route("**/api/ort/**", (r) => r.abort());
  const page = await ctx.newPage();
  const seen = { proposals: 0, modelFiles: 0, runtimeFiles: 0, cspViolations: [] as string[] };
  page.on("request", (r) => {
    const url = new URL(r.url()).pathname;
    if (r.method() === "POST" && /^\/api\/tasks\/[^/]+\/assist$/.test(url)) seen.proposals++;
    if (/\/interactive\/models\/\d+$/.test(url)) seen.modelFiles++;
    if (url.startsWith("/api/ort/")) seen.runtimeFiles++;
  });
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) seen.cspViolations.push(m.text());
  });
  await signIn(page, fx.md.email, fx.md.password);
  const res = await page.goto(`${baseUrl()}/projects/${fx.project.slug}/draw`);
  await page.waitForFunction(
    () => (window.__tandemDraw?.scale() ?? 0) > 0 && window.__tandemDraw?.smart?.().available,
    null,
    { timeout: 30_000 },
  );
  return { ctx, page, seen, csp: res?.headers()["content-security-policy"] ?? "" };
}

async function withModel() {
  const fx = await makeDrawingProject({ images: 1, width: 640, height: 512 });
  await registerInteractiveModel(fx.project.id, {
    bytes: echo,
    meta: { size: 64, click_radius_fraction: 0.05, min_click_radius: 2 },
    trainedOnMasks: 0,
  });
  return fx;
}

describe("Smart tool in Chromium", () => {
  it("draws a mask with clicks only (add, remove, undo a click, accept), every click answered in the browser, and submits it with its provenance", async () => {
    const fx = await withModel();
    const { ctx, page, seen, csp } = await openWorkspace(fx);
    // Only the drawing page may compile WebAssembly, and never with 'unsafe-eval'.
    expect(csp).toContain("'wasm-unsafe-eval'");
    expect(csp).not.toContain("'unsafe-eval'");

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
    // Every click was answered in the page: the model file and the runtime came once, no proposal request.
    expect(await smart(page)).toMatchObject({ answeredBy: "browser", browser: "ready" });
    expect(seen).toMatchObject({ proposals: 0, modelFiles: 1, cspViolations: [] });
    expect(seen.runtimeFiles).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId("smart-engine").textContent()).toMatch(
      /^The model runs in your browser\. Last click answered in your browser in \d+ ms\.$/,
    );
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
      smartBrowserClicks: number;
      smartAccepts: number;
      interactiveModelVersion: number;
      toolMs: Record<string, number>;
      startedFrom: string;
    };
    expect(prov.interactiveModelVersion).toBe(1);
    expect(prov.smartClicks).toBe(4);
    expect(prov.smartBrowserClicks).toBe(4);
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
    expect(await lead.getByTestId("smart-origin").textContent()).toBe("trained on 0 accepted masks");
    // A lead imports a pre-trained model: the panel shows it as the current version, imported.
    await importInteractiveModel(fx.lead.actor, fx.project.id, {
      bytes: echo,
      meta: { size: 64, clickRadiusFraction: 0.05, minClickRadius: 2, version: "bench-cxr-train" },
      sha256: createHash("sha256").update(echo).digest("hex"),
      note: "cxr-train",
    });
    await lead.reload();
    await expect
      .poll(() => lead.getByTestId("smart-origin").textContent())
      .toMatch(/^imported by a lead \(trainer version bench-cxr-train, sha256 [0-9a-f]{12}; cxr-train\)$/);
    await panel.screenshot({ path: path.join(os.tmpdir(), "smart-tool-dashboard.png") });
    await leadCtx.close();
  }, 240_000);

  it("falls back to the server when the browser cannot load the runtime, and says so", async () => {
    const fx = await withModel();
    const { ctx, page, seen } = await openWorkspace(fx, true);
    await page.keyboard.press("s");
    await clickAt(page, 160, 150, "left", 1);
    await clickAt(page, 420, 330, "left", 2);
    expect(await smart(page)).toMatchObject({ answeredBy: "server", browser: "failed" });
    expect(seen.proposals).toBe(2);
    expect(seen.modelFiles).toBe(0);
    expect(await page.getByTestId("smart-engine").textContent()).toMatch(
      /^Your browser cannot run the model \(.+\); the server answers instead\. Last click answered by the server in \d+ ms\.$/,
    );
    // The same echo model on the server: the same proposal (two disks).
    expect((await smart(page)).proposalArea).toBeGreaterThan(2000);
    await ctx.close();
  }, 120_000);

  it("sends the model file to an MD holding a drawing task of the project, and to no one else", async () => {
    const fx = await withModel();
    const other = await makeDrawingProject({ images: 1 });
    const stranger = await makeUser();
    const url = `${baseUrl()}/api/projects/${fx.project.id}/interactive/models/1`;
    const get = async (cookie?: string) => fetch(url, { headers: cookie ? { cookie } : {} });
    const md = await sessionCookie(fx.md.email, fx.md.password);
    // Until the MD claims a task they hold no drawing task.
    expect((await get(md)).status).toBe(403);
    const claim = await fetch(`${baseUrl()}/api/projects/${fx.project.id}/tasks/next`, {
      method: "POST",
      headers: { cookie: md, origin: new URL(baseUrl()).origin, "content-type": "application/json" },
      body: "{}",
    });
    expect(claim.status).toBe(200);
    const ok = await get(md);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    const body = new Uint8Array(await ok.arrayBuffer());
    const sha = createHash("sha256").update(body).digest("hex");
    expect(sha).toBe(createHash("sha256").update(echo).digest("hex"));
    expect(ok.headers.get("etag")).toBe(`"${sha}"`);
    expect((await get()).status).toBe(401);
    expect((await get(await sessionCookie(fx.lead.email, fx.lead.password))).status).toBe(403);
    expect((await get(await sessionCookie(other.md.email, other.md.password))).status).toBe(404);
    expect((await get(await sessionCookie(stranger.email, stranger.password))).status).toBe(404);
    // The runtime: public library code, only the installed version's wasm-backend files.
    const version = JSON.parse(readFileSync("node_modules/onnxruntime-web/package.json", "utf8")).version;
    const wasm = await fetch(`${baseUrl()}/api/ort/${version}/ort-wasm-simd-threaded.wasm`);
    expect(wasm.status).toBe(200);
    expect(wasm.headers.get("content-type")).toBe("application/wasm");
    expect(wasm.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await fetch(`${baseUrl()}/api/ort/0.0.1/ort-wasm-simd-threaded.wasm`)).status).toBe(404);
    expect((await fetch(`${baseUrl()}/api/ort/${version}/package.json`)).status).toBe(404);
    // No other page may compile WebAssembly.
    const vote = await fetch(`${baseUrl()}/projects/${fx.project.slug}/vote`, { headers: { cookie: md } });
    expect(vote.headers.get("content-security-policy")).not.toContain("wasm-unsafe-eval");
  }, 120_000);
});
