// Drawing workspace in headless Chromium: stroke-to-paint latency with real pointer input,
// and the cost of submitting a mask with many disjoint regions (browser encode, server
// decode and canonical re-encode), for 1000×1000 and 3000×3000 images.
import { build } from "esbuild";
import type { Page } from "playwright-core";
import { launch } from "../tests/e2e/helpers";
import { decodeUploadedMask } from "../lib/drawing/mask-input";
import { encodeMaskPng } from "../lib/masks/png-codec";
import { encodeBilevelPng } from "../lib/drawing/bilevel-png";

type Row = { name: string; value: number; unit: string; note?: string };

const SIZES = [1000, 3000];
const STROKES = 30;
const MOVES = 30;
const REGIONS = 2000;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const round = (v: number) => Math.round(v * 100) / 100;

async function strokes(page: Page, size: number): Promise<Row[]> {
  const radius = size / 100;
  const box = await page.evaluate(
    (s) =>
      (
        window as never as { drawingBench: { setup(o: unknown): { scale: number; left: number; top: number } } }
      ).drawingBench.setup(s),
    { size, radius },
  );
  let seed = 7;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const side = size * box.scale;
  const ox = box.left + (1100 - side) / 2,
    oy = box.top + (850 - side) / 2;
  for (let k = 0; k < STROKES; k++) {
    let x = ox + side * (0.1 + 0.8 * rnd()),
      y = oy + side * (0.1 + 0.8 * rnd());
    await page.mouse.move(x, y);
    await page.mouse.down();
    for (let j = 0; j < MOVES; j++) {
      x = Math.min(ox + side - 2, Math.max(ox + 2, x + (rnd() - 0.5) * 40));
      y = Math.min(oy + side - 2, Math.max(oy + 2, y + (rnd() - 0.5) * 40));
      await page.mouse.move(x, y);
    }
    await page.mouse.up();
  }
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const { latencies, work, area } = await page.evaluate(() =>
    (
      window as never as { drawingBench: { take(): { latencies: number[]; work: number[]; area: number } } }
    ).drawingBench.take(),
  );
  const note = `${size}×${size}, brush r=${radius}px, ${latencies.length} pointer events in ${STROKES} strokes, view scale ${box.scale.toFixed(2)}, mask area ${area}`;
  return [
    {
      name: `stroke-to-paint p50 ${size}²`,
      value: round(pct(latencies, 50)),
      unit: "ms",
      note: `${note}; event timestamp → mask drawn on the canvas, frame wait included`,
    },
    { name: `stroke-to-paint p95 ${size}²`, value: round(pct(latencies, 95)), unit: "ms", note },
    {
      name: `paint work per frame p50 ${size}²`,
      value: round(pct(work, 50)),
      unit: "ms",
      note: "rasterise into the mask + copy the dirty rectangle + redraw the Konva layer",
    },
    { name: `paint work per frame p95 ${size}²`, value: round(pct(work, 95)), unit: "ms", note },
  ];
}

async function submit(page: Page, size: number): Promise<Row[]> {
  type Out = {
    encodeMs: number;
    bytes: number;
    regions: number;
    area: number;
    fillHolesMs: number;
    undoFillMs: number;
    png: number[];
  };
  const r = await page.evaluate(
    ([s, n]) =>
      (
        window as never as { drawingBench: { encodeBench(s: number, n: number): Promise<Out> } }
      ).drawingBench.encodeBench(s, n),
    [size, REGIONS] as const,
  );
  const png = Uint8Array.from(r.png);
  const submitMs: number[] = [];
  const draftMs: number[] = [];
  for (let i = 0; i < 4; i++) {
    const t0 = performance.now();
    const m = await decodeUploadedMask(png, { width: size, height: size });
    const t1 = performance.now();
    encodeMaskPng(m.mask, m.width, m.height); // what createMask stores on submit
    const t2 = performance.now();
    encodeBilevelPng(m.mask, m.width, m.height); // what saveDraft stores
    const t3 = performance.now();
    submitMs.push(t2 - t0);
    draftMs.push(t1 - t0 + (t3 - t2));
  }
  const server = pct(submitMs.slice(1), 50);
  const draft = pct(draftMs.slice(1), 50);
  const note = `${size}×${size}, ${r.regions} disjoint regions, area ${r.area}`;
  const wl = await page.evaluate(
    (s) => (window as never as { drawingBench: { windowBench(s: number): number } }).drawingBench.windowBench(s),
    size,
  );
  return [
    {
      name: `submit: browser PNG encode ${size}²`,
      value: round(r.encodeMs),
      unit: "ms",
      note: `${note}; 1-bit PNG, ${r.bytes} bytes`,
    },
    {
      name: `submit: server decode + canonical encode ${size}²`,
      value: round(server),
      unit: "ms",
      note: `${note}; sharp decode and checks, 8-bit canonical PNG (median of 3)`,
    },
    {
      name: `draft save: server decode + 1-bit encode ${size}²`,
      value: round(draft),
      unit: "ms",
      note: `${note}; per autosave (median of 3)`,
    },
    {
      name: `submit: total CPU ${size}²`,
      value: round(r.encodeMs + server),
      unit: "ms",
      note: "browser encode + server decode/encode, without network and database",
    },
    { name: `fill holes ${size}²`, value: round(r.fillHolesMs), unit: "ms", note },
    { name: `undo fill holes ${size}²`, value: round(r.undoFillMs), unit: "ms", note },
    { name: `window/level re-render ${size}²`, value: round(wl), unit: "ms", note: "LUT over the gray CXR into RGBA" },
  ];
}

export async function run(): Promise<Row[]> {
  const out = await build({
    entryPoints: ["bench/drawing-page.ts"],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    tsconfig: "tsconfig.json",
    logLevel: "silent",
  });
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.setContent(
      `<!doctype html><html><body style="margin:0;background:#000"><div id="stage" style="width:1100px;height:850px"></div></body></html>`,
    );
    await page.addScriptTag({ content: out.outputFiles[0].text });
    const rows: Row[] = [];
    for (const size of SIZES) rows.push(...(await strokes(page, size)), ...(await submit(page, size)));
    return rows;
  } finally {
    await browser.close();
  }
}
