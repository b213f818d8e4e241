import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { baseUrl, launch } from "./helpers";
import { freePort } from "../../lib/db/embedded";
import { db } from "../../lib/db/client";
import { store } from "../../lib/storage/store";
import { decodeMaskPng } from "../../lib/masks/png-codec";
import { makeDrawingProject } from "../setup/drawing";
import { capsule, maskMismatch, polygon, type Shape } from "./mask-oracle";

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => browser?.close());

type Pt = [number, number];

async function signInAt(page: Page, base: string, email: string, password: string) {
  await page.goto(`${base}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"), { timeout: 30_000 });
}

async function openWorkspace(page: Page, base: string, slug: string) {
  await page.goto(`${base}/projects/${slug}/draw`);
  await page.waitForFunction(() => (window.__tandemDraw?.scale() ?? 0) > 0, null, { timeout: 30_000 });
  // The overlay is drawn on the next animation frame; let it settle.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

const hook = <T>(page: Page, fn: string) => page.evaluate(`window.__tandemDraw.${fn}`) as Promise<T>;

async function client(page: Page, p: Pt): Promise<Pt> {
  const c = await page.evaluate(([x, y]) => window.__tandemDraw!.toClient(x, y)!, p);
  return [c.x, c.y];
}

/** Presses at the first image point, moves through the others, releases. */
async function drag(page: Page, pts: Pt[]) {
  const cs = [];
  for (const p of pts) cs.push(await client(page, p));
  await page.mouse.move(...cs[0]);
  await page.mouse.down();
  for (const c of cs.slice(1)) await page.mouse.move(c[0], c[1], { steps: 12 });
  await page.mouse.up();
}

async function waitSaved(page: Page) {
  await page.waitForFunction(
    () => window.__tandemDraw?.status() === "saved" && window.__tandemDraw.version() > 0,
    null,
    { timeout: 20_000 },
  );
}

async function setBrush(page: Page, radius: number) {
  await page.getByLabel("Brush size (px)").fill(String(radius));
}

describe("MD drawing workspace in Chromium", () => {
  it("brush, lasso, polygon, eraser, undo/redo, reload, submit: the stored PNG matches the strokes", async () => {
    const fx = await makeDrawingProject({ images: 2, width: 900, height: 700 });
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 950 } });
    const page = await ctx.newPage();
    await signInAt(page, baseUrl(), fx.md.email, fx.md.password);
    await openWorkspace(page, baseUrl(), fx.project.slug);
    const taskId = await hook<string>(page, "taskId");
    expect([await hook(page, "width"), await hook(page, "height")]).toEqual([900, 700]);
    const shapes: Shape[] = [];
    const R = 24;

    await page.keyboard.press("b");
    await setBrush(page, R);
    await drag(page, [
      [150, 150],
      [400, 180],
    ]);
    shapes.push(capsule([150, 150], [400, 180], R, 1));

    await page.keyboard.press("l");
    const lasso: Pt[] = [
      [520, 90],
      [760, 120],
      [700, 320],
      [540, 270],
    ];
    await drag(page, [...lasso, lasso[0]]);
    shapes.push(polygon(lasso, 1));

    // Zoom with the wheel at a point (it stays under the cursor), pan with space+drag:
    // the polygon drawn at this zoom must land on the same native pixels.
    const fitScale = await hook<number>(page, "scale()");
    const anchor = await client(page, [280, 510]);
    await page.mouse.move(...anchor);
    await page.mouse.wheel(0, -200);
    await page.waitForFunction((s) => window.__tandemDraw!.scale() > s * 1.2, fitScale);
    const still = await client(page, [280, 510]);
    expect(Math.hypot(still[0] - anchor[0], still[1] - anchor[1])).toBeLessThan(1);
    await page.keyboard.down(" ");
    await page.mouse.down();
    await page.mouse.move(anchor[0] + 40, anchor[1] - 30, { steps: 5 });
    await page.mouse.up();
    await page.keyboard.up(" ");
    const panned = await client(page, [280, 510]);
    expect([Math.round(panned[0] - anchor[0]), Math.round(panned[1] - anchor[1])]).toEqual([40, -30]);
    await page.keyboard.press("p");
    const poly: Pt[] = [
      [200, 430],
      [360, 410],
      [390, 610],
      [170, 590],
    ];
    for (const p of poly) await page.mouse.click(...(await client(page, p)));
    await page.keyboard.press("Enter");
    shapes.push(polygon(poly, 1));
    await page.keyboard.press("f");
    expect(await hook<number>(page, "scale()")).toBeCloseTo(fitScale, 6);

    const beforeErase = await hook<number>(page, "area()");
    await page.keyboard.press("e");
    await drag(page, [
      [260, 60],
      [260, 260],
    ]);
    shapes.push(capsule([260, 60], [260, 260], R, 0));
    const afterErase = await hook<number>(page, "area()");
    expect(afterErase).toBeLessThan(beforeErase);

    await page.keyboard.press("Control+z");
    expect(await hook<number>(page, "area()")).toBe(beforeErase);
    await page.keyboard.press("Control+Shift+z");
    expect(await hook<number>(page, "area()")).toBe(afterErase);

    // Reload mid-drawing: the autosaved draft comes back.
    await waitSaved(page);
    const saved = await db().draft.findUniqueOrThrow({ where: { taskId } });
    expect(saved.version).toBeGreaterThan(0);
    expect(await store().exists(saved.storageKey!)).toBe(true);
    await page.reload();
    await page.waitForFunction((id) => window.__tandemDraw?.taskId === id && window.__tandemDraw.scale() > 0, taskId, {
      timeout: 30_000,
    });
    expect(await hook<number>(page, "area()")).toBe(afterErase);
    expect(await hook<number>(page, "version()")).toBe(saved.version);

    // One more disjoint region after the reload, then submit with Enter.
    await page.keyboard.press("b");
    await setBrush(page, R);
    await drag(page, [
      [780, 560],
      [800, 600],
    ]);
    shapes.push(capsule([780, 560], [800, 600], R, 1));
    await page.getByTestId("draw-canvas").focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("draw-note").waitFor({ timeout: 20_000 });
    expect(await page.getByTestId("draw-note").textContent()).toBe("Mask submitted.");

    const task = await db().task.findUniqueOrThrow({ where: { id: taskId } });
    expect(task.status).toBe("DONE");
    const masks = await db().mask.findMany({ where: { taskId } });
    expect(masks).toHaveLength(1);
    expect(masks[0]).toMatchObject({ kind: "MANUAL", authorId: fx.md.id, width: 900, height: 700 });
    expect(task.elapsedMs).toBeGreaterThan(0);
    const stored = await decodeMaskPng(await store().get(masks[0].storageKey));
    expect([stored.width, stored.height]).toEqual([900, 700]);
    const { expectedArea, mismatched, farFromEdge } = maskMismatch(stored.mask, 900, 700, shapes, 3);
    expect(masks[0].area).toBe(stored.mask.reduce((a, b) => a + b, 0));
    // Pointer positions are whole CSS pixels (about 1.3 image pixels here): only edges may differ.
    expect(farFromEdge).toBe(0);
    expect(mismatched / expectedArea).toBeLessThan(0.03);
    expect(await db().draft.count({ where: { taskId } })).toBe(0);
    await ctx.close();
  });

  it("a second tab on the same draft gets a visible conflict, nothing is overwritten; a double-clicked submit makes one mask", async () => {
    const fx = await makeDrawingProject({ images: 1, width: 500, height: 400 });
    const ctx = await browser.newContext({ viewport: { width: 1300, height: 900 } });
    const a = await ctx.newPage();
    await signInAt(a, baseUrl(), fx.md.email, fx.md.password);
    await openWorkspace(a, baseUrl(), fx.project.slug);
    const b = await ctx.newPage();
    await openWorkspace(b, baseUrl(), fx.project.slug);
    const taskId = await hook<string>(a, "taskId");
    expect(await hook<string>(b, "taskId")).toBe(taskId);

    await a.bringToFront();
    await drag(a, [
      [100, 100],
      [300, 100],
    ]);
    await waitSaved(a);
    const areaA = await hook<number>(a, "area()");

    await b.bringToFront();
    await drag(b, [
      [100, 300],
      [400, 300],
    ]);
    await b.waitForFunction(() => window.__tandemDraw?.status() === "conflict", null, { timeout: 20_000 });
    expect(await b.getByTestId("save-status").textContent()).toBe("Conflict");
    const draft = await db().draft.findUniqueOrThrow({ where: { taskId } });
    expect(draft.version).toBe(1);
    expect((await decodeMaskPng(await store().get(draft.storageKey!))).mask.reduce((x, y) => x + y, 0)).toBe(areaA);

    await b.getByRole("button", { name: "Load the saved version" }).click();
    await b.waitForFunction(() => window.__tandemDraw?.status() === "saved", null, { timeout: 10_000 });
    expect(await hook<number>(b, "area()")).toBe(areaA);

    await b.getByRole("button", { name: "Submit the mask (Enter)" }).dblclick();
    await b.getByTestId("draw-note").waitFor({ timeout: 20_000 });
    expect(await db().mask.count({ where: { imageId: fx.images[0].id } })).toBe(1);
    expect(await db().auditLog.count({ where: { objectId: taskId, action: "task.submit" } })).toBe(1);
    const mask = await db().mask.findFirstOrThrow({ where: { taskId } });
    expect(mask.area).toBe(areaA);
    await ctx.close();
  });

  it("a closed tab and a fresh server process get the draft back from PostgreSQL and storage", async () => {
    const fx = await makeDrawingProject({ images: 1, width: 640, height: 480 });
    const first = await browser.newContext({ viewport: { width: 1300, height: 900 } });
    const page = await first.newPage();
    await signInAt(page, baseUrl(), fx.md.email, fx.md.password);
    await openWorkspace(page, baseUrl(), fx.project.slug);
    const taskId = await hook<string>(page, "taskId");
    await page.keyboard.press("b");
    await setBrush(page, 20);
    await drag(page, [
      [100, 100],
      [300, 200],
      [500, 120],
    ]);
    await drag(page, [
      [120, 380],
      [200, 400],
    ]);
    const area = await hook<number>(page, "area()");
    expect(area).toBeGreaterThan(1000);
    await waitSaved(page);
    await first.close();

    // Durable: the row in PostgreSQL and the object in storage hold exactly that mask.
    const draft = await db().draft.findUniqueOrThrow({ where: { taskId } });
    expect(draft).toMatchObject({ userId: fx.md.id, imageId: fx.images[0].id });
    const object = await decodeMaskPng(await store().get(draft.storageKey!));
    expect(object.mask.reduce((a, b) => a + b, 0)).toBe(area);

    // A second `next start` on the same database and storage stands in for a restart:
    // it has none of the first process's memory.
    const fresh = await startFreshServer();
    try {
      const second = await browser.newContext({ viewport: { width: 1300, height: 900 } });
      const p2 = await second.newPage();
      await signInAt(p2, fresh.base, fx.md.email, fx.md.password);
      await openWorkspace(p2, fresh.base, fx.project.slug);
      expect(await hook<string>(p2, "taskId")).toBe(taskId);
      expect(await hook<number>(p2, "area()")).toBe(area);
      expect(await hook<number>(p2, "version()")).toBe(draft.version);
      await second.close();
    } finally {
      await fresh.stop();
    }
  });
});

async function startFreshServer(): Promise<{ base: string; stop(): Promise<void> }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    process.execPath,
    ["node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"],
    {
      env: { ...process.env, NODE_ENV: "production", APP_URL: base, NEXTAUTH_URL: base, LOG_LEVEL: "warn" },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const stop = async () => {
    if (child.exitCode !== null) return;
    const done = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await done;
  };
  const t0 = Date.now();
  for (;;) {
    try {
      if ((await fetch(`${base}/api/ready`)).ok) return { base, stop };
    } catch {
      /* not up yet */
    }
    if (Date.now() - t0 > 60_000 || child.exitCode !== null) {
      await stop();
      throw new Error("the fresh app server did not start");
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
