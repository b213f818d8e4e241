// Interactive (click) segmentation as the field measures it: Dice after 1, 3, 5, 10 simulated
// clicks and NoC@85 / NoC@90 (capped at 20) on held-out folds of cxr-sample and on synthetic CXRs,
// with 95 % bootstrap intervals over images; then ms per click at 512² and 1024² in Node.
// Models are trained here by the real trainer (cached by spec hash under $TMPDIR, since CPU runs
// are bit-for-bit reproducible). INTERACTIVE_BENCH_EPOCHS / _SIZE / _FOLDS change the recipe.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { runTrainer } from "../workers/trainer-process";
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
const CACHE = path.join(os.tmpdir(), "tandem-interactive-bench");

async function gray(file: string) {
  const { data, info } = await sharp(file).grayscale().raw().toBuffer({ resolveWithObject: true });
  return {
    pixels: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height),
    width: info.width,
    height: info.height,
  };
}

async function trained(train: Case[], seed: number): Promise<ClickModel> {
  const spec = {
    size: SIZE,
    epochs: EPOCHS,
    batch_size: 4,
    lr: 1e-3,
    seed,
    device: "cpu",
    max_clicks: 4,
    version: `bench-${seed}`,
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
  const m = await readTrainedModel(out);
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

function cxrSampleCases(): Case[] {
  const lines = readFileSync(path.join(DATA, "manifest.csv"), "utf8").trim().split("\n").slice(1);
  return lines
    .map((l) => l.split(","))
    .filter((f) => f[1] === "COVID-19")
    .map((f) => ({
      id: f[0],
      image: path.join(DATA, "images", `${f[0]}.png`),
      mask: path.join(DATA, "masks", `${f[0]}.png`),
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
  const cases = cxrSampleCases();
  const all: number[][] = [];
  let firstModel: ClickModel | null = null;
  for (let f = 0; f < FOLDS; f++) {
    const test = cases.filter((_, i) => i % FOLDS === f);
    const model = await trained(
      cases.filter((_, i) => i % FOLDS !== f),
      f,
    );
    firstModel ??= model;
    all.push(...(await curves(model, test)));
  }
  rows.push(...summarise(`cxr-sample ${FOLDS}-fold held-out`, all));
  const synth = await syntheticCases(36, 256);
  const synthModel = await trained(synth.slice(0, 24), 100);
  rows.push(...summarise("synthetic held-out", await curves(synthModel, synth.slice(24))));
  for (const width of [512, 1024]) {
    const t = await msPerClick(firstModel!, width);
    rows.push({
      name: `Node ms/click ${width}²`,
      value: t.median,
      unit: "ms",
      note: `p90 ${t.p90.toFixed(0)} ms; model ${SIZE}²; target 150 ms (${(t.median / 150).toFixed(2)}× target); image prep once ${t.prepare.toFixed(0)} ms; ${load()}`,
    });
  }
  rows.push({
    name: "recipe",
    value: EPOCHS,
    unit: "epochs",
    note: `size ${SIZE}, ${FOLDS} folds over ${cases.length} COVID images, ${load()}`,
  });
  return rows;
}
