// `npm run bench smart-tool`: per-click time of the Smart tool in the real app, at 512² and
// 1024², the click model answered in the MD's browser (onnxruntime-web, as the workspace runs it)
// against the server fallback (the same page with the runtime's files blocked, so every click
// goes to POST /api/tasks/:id/assist: session check, reads, ONNX in Node, PNGs both ways).
// The production build is served on a fresh embedded PostgreSQL; an MD opens the drawing page in
// Chromium, picks the Smart tool and clicks on the canvas with the mouse. Per click the figure is
// the workspace's own step time (from the click handler's step start to the proposal in memory,
// as the panel shows it; the one-off model load is reported apart) and, beside it, the time in
// the page from the pointerdown event to the first animation frame showing the proposal (adds
// input handling and React's render of the proposal layer; ± one frame).
// The model: SMART_BENCH_MODEL (a trainer out folder), else the newest one `npm run bench
// interactive` cached (the cxr-train transfer model when there is one).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { generateCxr } from "../lib/simulate/synthetic-cxr";
import { benchEnvironment, serveBuiltApp } from "./app-server";
import { loadNote } from "./repeat";

type Row = { name: string; value: number; unit: string; note?: string };

const SIZES = (process.env.SMART_BENCH_SIZES ?? "512,1024").split(",").map(Number);
const ROUNDS = Number(process.env.SMART_BENCH_ROUNDS ?? 3);
// Fractions of the image: positives in the lung fields, a few negatives between and below them.
const CLICKS: [number, number, boolean][] = [
  [0.3, 0.5, true],
  [0.7, 0.5, true],
  [0.3, 0.35, true],
  [0.7, 0.65, true],
  [0.5, 0.2, false],
  [0.28, 0.6, true],
  [0.72, 0.4, true],
  [0.5, 0.8, false],
  [0.35, 0.45, true],
  [0.65, 0.55, true],
];

function modelDir(): string {
  if (process.env.SMART_BENCH_MODEL) return path.resolve(process.env.SMART_BENCH_MODEL);
  const cache = path.join(os.tmpdir(), "tandem-interactive-bench");
  const dirs = existsSync(cache)
    ? readdirSync(cache)
        .map((d) => path.join(cache, d))
        .filter((d) => existsSync(path.join(d, "interactive.onnx")) && existsSync(path.join(d, "meta.json")))
    : [];
  const transfer = dirs.find((d) => readFileSync(path.join(d, "meta.json"), "utf8").includes('"bench-cxr-train"'));
  const newest = dirs.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  const pick = transfer ?? newest;
  if (!pick)
    throw new Error(
      "no click model: set SMART_BENCH_MODEL to a trainer out folder, or run `npm run bench interactive` first",
    );
  return pick;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

type Hook = { answeredBy: string | null; answerMs: number | null; clicks: number; pending: boolean; browser: string };
const hook = (page: Page) => page.evaluate(() => window.__tandemDraw!.smart!()) as Promise<Hook>;

/** One MD session on the drawing page: ms per click (step, and mouse → proposal). */
async function clickSession(
  browser: Browser,
  base: string,
  md: { email: string; password: string },
  slug: string,
  mode: "browser" | "server",
) {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 950 } });
  if (mode === "server") await ctx.route("**/api/ort/**", (r) => r.abort());
  const page = await ctx.newPage();
  try {
    await page.goto(`${base}/login`);
    await page.getByLabel("Email").fill(md.email);
    await page.getByLabel("Password").fill(md.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL((u) => !u.pathname.startsWith("/login"), { timeout: 60_000 });
    await page.goto(`${base}/projects/${slug}/draw`);
    await page.waitForFunction(
      () => (window.__tandemDraw?.scale() ?? 0) > 0 && window.__tandemDraw?.smart?.().available,
      null,
      { timeout: 120_000 },
    );
    const t0 = Date.now();
    await page.keyboard.press("s");
    await page.waitForFunction(
      (m) => window.__tandemDraw!.smart!().browser === m,
      mode === "browser" ? "ready" : "failed",
      {
        timeout: 120_000,
      },
    );
    const loadMs = Date.now() - t0;
    const size = await page.evaluate(() => ({ w: window.__tandemDraw!.width, h: window.__tandemDraw!.height }));
    const step: number[] = [];
    const outer: number[] = [];
    // One warm-up round (first runs compile kernels, the server loads the model and the image).
    for (let round = 0; round <= ROUNDS; round++) {
      for (let k = 0; k < CLICKS.length; k++) {
        const [fx, fy, positive] = CLICKS[k];
        const c = await page.evaluate(
          ([x, y]) => window.__tandemDraw!.toClient(x, y)!,
          [Math.floor(fx * size.w), Math.floor(fy * size.h)],
        );
        // In the page: from the pointerdown event to the first animation frame in which the
        // workspace shows the new proposal (so no DevTools-protocol round trip is counted).
        await page.evaluate(() => {
          const w = window as unknown as { benchT0: number; benchT1: number };
          w.benchT0 = w.benchT1 = Number.NaN;
          addEventListener("pointerdown", () => void (w.benchT0 = performance.now()), { once: true, capture: true });
        });
        await page.mouse.click(c.x, c.y, { button: positive ? "left" : "right" });
        await page.waitForFunction(
          (n) => {
            // The panel's status line, committed with the proposal layer (the test hook's
            // smart() would sum the whole proposal on every frame).
            const status = document.querySelector('[data-testid="smart-panel"] [role="status"]')?.textContent;
            if (status !== `${n} click(s) · proposal ready`) return false;
            (window as unknown as { benchT1: number }).benchT1 = performance.now();
            return true;
          },
          k + 1,
          { timeout: 60_000, polling: "raf" },
        );
        const wall = await page.evaluate(() => {
          const w = window as unknown as { benchT0: number; benchT1: number };
          return w.benchT1 - w.benchT0;
        });
        const h = await hook(page);
        if (h.answeredBy !== mode) throw new Error(`${mode} session: a click was answered by ${h.answeredBy}`);
        if (round > 0) {
          step.push(h.answerMs ?? NaN);
          outer.push(wall);
        }
      }
      if (round === ROUNDS && process.env.SMART_BENCH_SHOT) {
        // SMART_BENCH_SHOT: a screenshot of the last proposal, the Smart panel in view.
        await page.getByTestId("smart-engine").scrollIntoViewIfNeeded();
        await page.screenshot({ path: process.env.SMART_BENCH_SHOT.replace(/(\.png)?$/, `-${mode}-${size.w}.png`) });
      }
      await page.keyboard.press("Escape");
      await page.waitForFunction(() => window.__tandemDraw!.smart!().clicks === 0);
    }
    return { step, outer, loadMs };
  } finally {
    await ctx.close();
  }
}

export async function run(): Promise<Row[]> {
  const loadStart = loadNote();
  const model = modelDir();
  const { env, cleanup } = await benchEnvironment("tandem-bench-smart-");
  let app: Awaited<ReturnType<typeof serveBuiltApp>> | undefined;
  let browser: Browser | undefined;
  const { launch } = await import("../tests/e2e/helpers");
  try {
    const { makeProject, makeUser } = await import("../tests/setup/fixtures");
    const { makeImage } = await import("../tests/setup/images");
    const { addMember } = await import("../lib/projects/mutations");
    const { selectStage1Subset, startStage1 } = await import("../lib/protocol/mutations");
    const { registerInteractiveModel } = await import("../lib/assist/mutations");
    const { readTrainedModel, storedMeta } = await import("../lib/assist/trained-model");
    const { closeDb } = await import("../lib/db/client");
    const trained = await readTrainedModel(model);
    const projects: { size: number; slug: string; mds: { email: string; password: string }[] }[] = [];
    for (const size of SIZES) {
      const fx = await makeProject();
      const md2 = await makeUser();
      await addMember(fx.admin.actor, fx.project.id, { email: md2.email, roles: ["MD"] });
      for (const seed of [77, 78]) {
        const c = generateCxr({ seed, width: size, height: size, label: "covid" });
        await makeImage(fx.project.id, { width: size, height: size, pixels: c.pixels });
      }
      await selectStage1Subset(fx.lead.actor, fx.project.id, { size: 2, seed: 1 });
      await startStage1(fx.lead.actor, fx.project.id);
      await registerInteractiveModel(fx.project.id, {
        bytes: trained.bytes,
        meta: storedMeta(trained.meta),
        trainedOnMasks: 0,
      });
      projects.push({ size, slug: fx.project.slug, mds: [fx.md, md2] });
    }
    await closeDb();

    app = await serveBuiltApp(env, 180_000);
    const base = app.base;
    browser = await launch();

    const rows: Row[] = [];
    for (const p of projects) {
      for (const [i, mode] of (["browser", "server"] as const).entries()) {
        const before = loadNote();
        const r = await clickSession(browser, base, p.mds[i], p.slug, mode);
        const what =
          mode === "browser"
            ? `onnxruntime-web wasm, 1 thread, in the page; first load (runtime + model) ${r.loadMs} ms`
            : "POST /api/tasks/:id/assist, PNG both ways (runtime blocked → fallback)";
        rows.push({
          name: `app ${mode} ms/click ${p.size}²`,
          value: pct(r.step, 0.5),
          unit: "ms",
          note: `p90 ${pct(r.step, 0.9).toFixed(0)} ms, n=${r.step.length}; pointerdown → proposal frame median ${pct(r.outer, 0.5).toFixed(0)} / p90 ${pct(r.outer, 0.9).toFixed(0)} ms; ${what}; model ${trained.meta.size}² (${trained.meta.version}); target 150 ms; ${before} → ${loadNote()}`,
        });
      }
    }
    rows.push({
      name: "conditions",
      value: ROUNDS * CLICKS.length,
      unit: "clicks/session",
      note: `${loadStart} at start; model ${model}`,
    });
    return rows;
  } finally {
    await browser?.close();
    await app?.stop();
    await cleanup();
  }
}
