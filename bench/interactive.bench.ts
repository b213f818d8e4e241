// Interactive (click) segmentation as the field measures it: Dice after 1, 3, 5, 10 simulated
// clicks and NoC@85 / NoC@90 (capped at 20), with 95 % bootstrap intervals over images:
//   - transfer: the click model trained on cxr-train's 1,000 COVID-19 masks, evaluated on all 54
//     cxr-sample masks (no image in common: the sample was drawn from the same source without
//     overlap, checked by id and pixel hash), the recipe that meets the Dice@5 ≥ 0.80 target;
//   - small data: 3-fold held-out on cxr-sample itself (36 training masks per fold, a new project);
//   - synthetic CXRs, held out.
// Then ms per click at 512² and 1024²: in Node (in-process), and in Chromium, with the model in
// onnxruntime-web (wasm, 1 and 2 threads) beside the round trip to a Node server
// (bench/interactive-browser.ts).
// Models are trained here by the real trainer (cached by spec hash under $TMPDIR, since CPU runs
// are bit-for-bit reproducible). INTERACTIVE_BENCH_EPOCHS / _SIZE / _FOLDS change the small-data
// recipe, INTERACTIVE_BENCH_TRANSFER=0 skips the transfer rows, INTERACTIVE_BENCH_TRAIN_LIMIT
// trains the transfer model on the first N cxr-train masks only (a quick check, not the figure).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { runTrainer } from "../workers/trainer-process";
import { browserClickTimings } from "./interactive-browser";
import { bootstrapMean, clickCurve, clicksToReach } from "../lib/assist/click-evaluation";
import { loadClickModel, prepareClickImage, propose, type ClickModel } from "../lib/assist/click-model";
import { nextClick } from "../lib/assist/click-simulator";
import { readTrainedModel } from "../lib/assist/trained-model";
import { encodeMaskPng } from "../lib/masks/png-codec";
import { encodePng } from "../lib/simulate/png";
import { generateCxr } from "../lib/simulate/synthetic-cxr";
import type { Click } from "../lib/assist/types";

type Row = { name: string; value: number; unit: string; note?: string };
type Case = { id: string; image: string; mask: string };

const EPOCHS = Number(process.env.INTERACTIVE_BENCH_EPOCHS ?? 32);
const SIZE = Number(process.env.INTERACTIVE_BENCH_SIZE ?? 96);
const FOLDS = Number(process.env.INTERACTIVE_BENCH_FOLDS ?? 3);
const DATA = process.env.CXR_SAMPLE ?? path.resolve("../shared/data/cxr-sample");
const TRAIN_DATA = process.env.CXR_TRAIN ?? path.resolve("../shared/data/cxr-train");
const TRANSFER = process.env.INTERACTIVE_BENCH_TRANSFER !== "0" && existsSync(path.join(TRAIN_DATA, "manifest.csv"));
const TRAIN_LIMIT = Number(process.env.INTERACTIVE_BENCH_TRAIN_LIMIT ?? 0);

type Recipe = {
  size: number;
  epochs: number;
  batch_size: number;
  lr: number;
  schedule: "constant" | "cosine";
  max_clicks: number;
};
// A new project's few masks: the recipe lib/assist/train-settings.ts uses.
const SMALL: Recipe = { size: SIZE, epochs: EPOCHS, batch_size: 4, lr: 1e-3, schedule: "constant", max_clicks: 4 };
// 1,000 masks: 625 steps of 8 with a cosine decay (about 3 CPU-minutes; 22 minutes of wall time
// on one core of a machine at load 13–18).
const TRANSFER_RECIPE: Recipe = {
  size: 96,
  epochs: 5,
  batch_size: 8,
  lr: 1e-3,
  schedule: "cosine",
  max_clicks: 4,
};
const CACHE = path.join(os.tmpdir(), "tandem-interactive-bench");

async function gray(file: string) {
  const { data, info } = await sharp(file).grayscale().raw().toBuffer({ resolveWithObject: true });
  return {
    pixels: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height),
    width: info.width,
    height: info.height,
  };
}

async function trainedDir(
  train: Case[],
  seed: number,
  recipe: Recipe = SMALL,
  version = `bench-${seed}`,
): Promise<string> {
  const spec = {
    ...recipe,
    seed,
    device: "cpu",
    version,
    train: train.map((c) => ({ id: c.id, image: c.image, mask: c.mask, label: "covid" })),
  };
  const key = createHash("sha256").update(JSON.stringify(spec)).digest("hex").slice(0, 16);
  const out = path.join(CACHE, key);
  if (!existsSync(path.join(out, "meta.json"))) {
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, "spec.json"), JSON.stringify(spec));
    const t0 = Date.now();
    await runTrainer(["train", "--spec", path.join(out, "spec.json"), "--out", out], {
      module: "tandem_trainer.interactive",
      onEvent: (e) =>
        e.type === "epoch" &&
        process.stderr.write(
          `  interactive fold seed ${seed}: epoch ${e.epoch}/${e.epochs} loss ${Number(e.train_loss).toFixed(3)}\n`,
        ),
    });
    process.stderr.write(`  trained in ${((Date.now() - t0) / 1000).toFixed(0)} s → ${out}\n`);
  }
  return out;
}

async function trained(train: Case[], seed: number, recipe: Recipe = SMALL): Promise<ClickModel> {
  const m = await readTrainedModel(await trainedDir(train, seed, recipe));
  return loadClickModel(m.bytes, m.meta);
}

async function curves(model: ClickModel, cases: Case[]): Promise<number[][]> {
  const out: number[][] = [];
  for (const c of cases) {
    const img = await gray(c.image);
    const mask = await gray(c.mask);
    const truth = new Uint8Array(mask.pixels.length);
    for (let i = 0; i < truth.length; i++) truth[i] = mask.pixels[i] > 127 ? 1 : 0;
    out.push(await clickCurve(model, prepareClickImage(img.pixels, img.width, img.height, model.meta.size), truth));
  }
  return out;
}

function summarise(label: string, all: number[][]): Row[] {
  const rows: Row[] = [];
  const fmt = (b: { lo: number; hi: number }, d = 3) => `95% CI ${b.lo.toFixed(d)}–${b.hi.toFixed(d)}, n=${all.length}`;
  for (const k of [1, 3, 5, 10]) {
    const b = bootstrapMean(all.map((c) => c[k - 1]));
    rows.push({ name: `${label} Dice@${k}`, value: b.mean, unit: "Dice", note: fmt(b) });
  }
  for (const t of [85, 90]) {
    const b = bootstrapMean(all.map((c) => clicksToReach(c, t / 100)));
    rows.push({ name: `${label} NoC@${t}`, value: b.mean, unit: "clicks", note: `${fmt(b, 2)}, cap 20` });
  }
  return rows;
}

/** The COVID-19 pairs of a cxr-* folder (the controls' masks are empty: nothing to click on). */
function covidCases(dir: string): Case[] {
  const lines = readFileSync(path.join(dir, "manifest.csv"), "utf8").trim().split("\n").slice(1);
  return lines
    .map((l) => l.split(","))
    .filter((f) => f[1] === "COVID-19")
    .map((f) => ({
      id: f[0],
      image: path.join(dir, "images", `${f[0]}.png`),
      mask: path.join(dir, "masks", `${f[0]}.png`),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

async function syntheticCases(n: number, width: number): Promise<Case[]> {
  const dir = path.join(CACHE, `synthetic-${n}-${width}`);
  mkdirSync(dir, { recursive: true });
  const cases: Case[] = [];
  for (let k = 0; k < n; k++) {
    const c = generateCxr({ seed: 5000 + k, width, height: width, label: "covid" });
    const image = path.join(dir, `s${k}.png`);
    const mask = path.join(dir, `s${k}-mask.png`);
    if (!existsSync(mask)) {
      writeFileSync(image, await encodePng(c.pixels, width, width));
      writeFileSync(mask, encodeMaskPng(c.mask, width, width));
    }
    cases.push({ id: `s${k}`, image, mask });
  }
  return cases;
}

/** Median ms of one click step (click maps + model + upsampling to native) over a 10-click session. */
async function msPerClick(model: ClickModel, width: number): Promise<{ median: number; p90: number; prepare: number }> {
  const c = generateCxr({ seed: 77, width, height: width, label: "covid" });
  const truth = new Uint8Array(c.mask.length);
  for (let i = 0; i < truth.length; i++) truth[i] = c.mask[i] ? 1 : 0;
  const t0 = performance.now();
  const image = prepareClickImage(c.pixels, width, width, model.meta.size);
  const prepare = performance.now() - t0;
  const times: number[] = [];
  for (let round = 0; round < 3; round++) {
    let current: Uint8Array = new Uint8Array(truth.length);
    const clicks: Click[] = [];
    for (let k = 0; k < 10; k++) {
      const click = nextClick(truth, current, width, width);
      if (!click) break;
      clicks.push(click);
      const s = performance.now();
      current = await propose(model, image, clicks, current);
      times.push(performance.now() - s);
    }
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], p90: times[Math.floor(times.length * 0.9)], prepare };
}

export async function run(): Promise<Row[]> {
  mkdirSync(CACHE, { recursive: true });
  const rows: Row[] = [];
  const load = () => `load ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs`;
  const cases = covidCases(DATA);
  let timingModel: string | null = null;
  if (TRANSFER) {
    const source = covidCases(TRAIN_DATA);
    const train = TRAIN_LIMIT > 0 ? source.slice(0, TRAIN_LIMIT) : source;
    const dir = await trainedDir(train, 0, TRANSFER_RECIPE, "bench-cxr-train");
    const m = await readTrainedModel(dir);
    const model = await loadClickModel(m.bytes, m.meta);
    rows.push(...summarise(`cxr-sample all ${cases.length} ← cxr-train ${train.length}`, await curves(model, cases)));
    timingModel = dir;
  }
  const all: number[][] = [];
  let firstDir: string | null = null;
  for (let f = 0; f < FOLDS; f++) {
    const test = cases.filter((_, i) => i % FOLDS === f);
    const dir = await trainedDir(
      cases.filter((_, i) => i % FOLDS !== f),
      f,
    );
    const m = await readTrainedModel(dir);
    const model = await loadClickModel(m.bytes, m.meta);
    firstDir ??= dir;
    all.push(...(await curves(model, test)));
  }
  if (FOLDS > 0) rows.push(...summarise(`cxr-sample ${FOLDS}-fold held-out`, all));
  timingModel ??= firstDir;
  const synth = await syntheticCases(36, 256);
  const synthModel = await trained(synth.slice(0, 24), 100);
  rows.push(...summarise("synthetic held-out", await curves(synthModel, synth.slice(24))));
  const timed = timingModel ? await readTrainedModel(timingModel) : null;
  const timedModel = timed ? await loadClickModel(timed.bytes, timed.meta) : synthModel;
  const modelSize = timedModel.meta.size;
  for (const width of [512, 1024]) {
    const t = await msPerClick(timedModel, width);
    rows.push({
      name: `Node in-process ms/click ${width}²`,
      value: t.median,
      unit: "ms",
      note: `p90 ${t.p90.toFixed(0)} ms; model ${modelSize}²; no HTTP, no PNG; image prep once ${t.prepare.toFixed(0)} ms; ${load()}`,
    });
  }
  if (timed && process.env.INTERACTIVE_BENCH_BROWSER !== "0") {
    for (const b of await browserClickTimings(timed, [512, 1024])) {
      const note = (t: { median: number; p90: number; n: number }, what: string) =>
        `p90 ${t.p90.toFixed(0)} ms, n=${t.n}; ${what}; target 150 ms (${(t.median / 150).toFixed(2)}× target); ${load()}`;
      for (const [threads, t] of Object.entries(b.browser)) {
        rows.push({
          name: `Chromium wasm ${threads} thread${threads === "1" ? "" : "s"} ms/click ${b.width}²`,
          value: t.median,
          unit: "ms",
          note: note(
            t,
            `onnxruntime-web in the page, model ${modelSize}²; one-off model load ${b.modelLoadMs.toFixed(0)} ms; isolated ${b.crossOriginIsolated}`,
          ),
        });
      }
      rows.push({
        name: `Chromium → server round trip ms/click ${b.width}²`,
        value: b.server.median,
        unit: "ms",
        note: note(b.server, "PNG up, onnxruntime-node, PNG down (bare node:http: no session check or DB reads)"),
      });
    }
  }
  rows.push({
    name: "recipe",
    value: EPOCHS,
    unit: "epochs",
    note: `small data: size ${SIZE}, ${FOLDS} folds over ${cases.length} COVID images; transfer: ${TRANSFER ? JSON.stringify(TRANSFER_RECIPE) : "skipped"}; ${load()}`,
  });
  return rows;
}
