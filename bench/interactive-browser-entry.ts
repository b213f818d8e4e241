// Browser side of `npm run bench interactive`'s per-click timing (bundled by esbuild, run in
// Chromium). Two ways the Smart tool could answer a click, each timed from the click to the
// proposal as a 0/1 mask at native size in the page:
//   browser: the click model in onnxruntime-web (wasm), with the same click maps and upsampling
//            code the server runs (lib/assist);
//   server:  what use-smart-tool.ts does today: encode the current mask as a 1-bit PNG, POST the
//            clicks, and decode the returned PNG with the browser's decoder.
import * as ort from "onnxruntime-web/wasm";
import { clickStep, prepareClickImage } from "../lib/assist/click-step";
import { nextClick } from "../lib/assist/click-simulator";
import type { Click, ClickModelMeta } from "../lib/assist/types";
import { encodeBilevelPng } from "../lib/drawing/bilevel-png";
import { decodeMaskBlob } from "../app/_components/draw/mask-decode";

type Setup = { meta: ClickModelMeta; width: number; height: number; threads: number };

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function bytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

async function init(setup: Setup) {
  ort.env.wasm.wasmPaths = "/ort/";
  ort.env.wasm.numThreads = setup.threads;
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(await bytes("/model.onnx"), {
    executionProviders: ["wasm"],
    graphOptimizationLevel: "all",
  });
  const loadMs = performance.now() - t0;
  const { meta, width, height } = setup;
  const gray = await bytes("/image.raw");
  const truth = await bytes("/truth.raw");
  const t1 = performance.now();
  const { pixels } = prepareClickImage(gray, width, height, meta.size);
  const prepareMs = performance.now() - t1;

  const run = async (image: Float32Array, maps: Float32Array, s: number) => {
    const out = await session.run({
      image: new ort.Tensor("float32", image, [1, 1, s, s]),
      clicks: new ort.Tensor("float32", maps, [1, 3, s, s]),
    });
    return out.prob.data as Float32Array;
  };
  function browserStep(clicks: Click[], current: Uint8Array): Promise<Uint8Array> {
    return clickStep(run, meta, { pixels, width, height }, clicks, current);
  }

  async function serverStep(clicks: Click[], current: Uint8Array): Promise<Uint8Array> {
    const r = await fetch("/propose", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ clicks, current: toBase64(encodeBilevelPng(current, width, height, 1)) }),
    });
    if (!r.ok) throw new Error(`propose: ${r.status} ${await r.text()}`);
    const { mask } = (await r.json()) as { mask: string };
    const png = Uint8Array.from(atob(mask), (c) => c.charCodeAt(0));
    return decodeMaskBlob(new Blob([png], { type: "image/png" }), width, height);
  }

  /** ms per click over `rounds` sessions of up to `clicksPerRound` simulated clicks. */
  async function time(mode: "browser" | "server", rounds: number, clicksPerRound: number) {
    const step = mode === "browser" ? browserStep : serverStep;
    const times: number[] = [];
    const areas: number[] = [];
    for (let round = 0; round < rounds; round++) {
      let current: Uint8Array = new Uint8Array(width * height);
      const clicks: Click[] = [];
      for (let k = 0; k < clicksPerRound; k++) {
        const click = nextClick(truth, current, width, height);
        if (!click) break;
        clicks.push(click);
        const t = performance.now();
        current = await step(clicks, current);
        times.push(performance.now() - t);
        if (round === 0) areas.push(current.reduce((a, b) => a + b, 0));
      }
    }
    return { times, areas };
  }

  return { loadMs, prepareMs, crossOriginIsolated: globalThis.crossOriginIsolated === true, time };
}

declare global {
  interface Window {
    __clickBench: { init: typeof init; ready?: Awaited<ReturnType<typeof init>> };
  }
}
window.__clickBench = { init };
