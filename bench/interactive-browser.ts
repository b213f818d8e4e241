// Per-click time in Chromium for the two ways the Smart tool can answer a click (see
// interactive-browser-entry.ts): the click model in onnxruntime-web (wasm) in the page, or a
// round trip to a Node server running the same model in onnxruntime-node. The server here is a
// bare node:http one doing exactly what proposeForTask does per click (decode the current mask,
// click maps, ONNX, upsample, 1-bit PNG); the app's route adds its session check and two
// indexed reads on top, so the server figures are a lower bound for the real route.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { loadClickModel, prepareClickImage, propose } from "../lib/assist/click-model";
import type { Click, ClickModelMeta } from "../lib/assist/types";
import { decodeUploadedMask } from "../lib/drawing/mask-input";
import { encodeBilevelPng } from "../lib/drawing/bilevel-png";
import { generateCxr } from "../lib/simulate/synthetic-cxr";

export type ClickTiming = { median: number; p90: number; n: number };
export type BrowserTimings = {
  width: number;
  browser: Record<number, ClickTiming>; // by wasm thread count
  server: ClickTiming;
  modelLoadMs: number;
  crossOriginIsolated: boolean;
};

const ORT_DIST = path.resolve("node_modules/onnxruntime-web/dist");
const TYPES: Record<string, string> = {
  ".mjs": "text/javascript",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
};

function summary(times: number[]): ClickTiming {
  const s = [...times].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p90: s[Math.floor(s.length * 0.9)], n: s.length };
}

async function bundle(): Promise<string> {
  const r = await build({
    entryPoints: [path.resolve("bench/interactive-browser-entry.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    external: ["onnxruntime-web/wasm"],
    logLevel: "silent",
  });
  return r.outputFiles[0].text;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** ms per click at each native width, browser (wasm, 1 and 2 threads) beside the server round trip. */
export async function browserClickTimings(
  model: { bytes: Uint8Array; meta: ClickModelMeta },
  widths: number[],
  rounds = 3,
  clicksPerRound = 10,
): Promise<BrowserTimings[]> {
  const app = await bundle();
  const node = await loadClickModel(model.bytes, model.meta);
  let current: { width: number; height: number; gray: Uint8Array; truth: Uint8Array } = {
    width: 0,
    height: 0,
    gray: new Uint8Array(),
    truth: new Uint8Array(),
  };
  let prepared = prepareClickImage(current.gray, 1, 1, model.meta.size);
  const html = `<!doctype html><meta charset="utf-8"><script type="importmap">{"imports":{"onnxruntime-web/wasm":"/ort/ort.wasm.min.mjs"}}</script><script type="module" src="/app.js"></script>`;
  const send = (res: ServerResponse, type: string, body: string | Uint8Array) => {
    res.writeHead(200, {
      "content-type": type,
      // Cross-origin isolation: without it the wasm backend cannot use threads.
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-embedder-policy": "require-corp",
    });
    res.end(body);
  };
  const server = createServer(async (req, res) => {
    try {
      const url = req.url ?? "/";
      if (url === "/") return send(res, "text/html", html);
      if (url === "/app.js") return send(res, "text/javascript", app);
      if (url === "/model.onnx") return send(res, "application/octet-stream", model.bytes);
      if (url === "/image.raw") return send(res, "application/octet-stream", current.gray);
      if (url === "/truth.raw") return send(res, "application/octet-stream", current.truth);
      const ortFile = /^\/ort\/([\w.-]+)$/.exec(url)?.[1];
      if (ortFile)
        return send(
          res,
          TYPES[path.extname(ortFile)] ?? "application/octet-stream",
          readFileSync(path.join(ORT_DIST, ortFile)),
        );
      if (url === "/propose" && req.method === "POST") {
        const body = JSON.parse((await readBody(req)).toString()) as { clicks: Click[]; current: string };
        const base = (await decodeUploadedMask(Buffer.from(body.current, "base64"), current)).mask;
        const mask = await propose(node, prepared, body.clicks, base);
        const png = encodeBilevelPng(mask, current.width, current.height, 1);
        return send(res, "application/json", JSON.stringify({ mask: Buffer.from(png).toString("base64") }));
      }
      res.writeHead(404).end();
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
  const out: BrowserTimings[] = [];
  try {
    for (const width of widths) {
      const c = generateCxr({ seed: 77, width, height: width, label: "covid" });
      const truth = new Uint8Array(c.mask.length);
      for (let i = 0; i < truth.length; i++) truth[i] = c.mask[i] ? 1 : 0;
      current = { width, height: width, gray: c.pixels, truth };
      prepared = prepareClickImage(c.pixels, width, width, model.meta.size);
      const browserTimes: Record<number, ClickTiming> = {};
      let roundTrip: ClickTiming | null = null;
      let modelLoadMs = 0;
      let isolated = false;
      for (const threads of [1, 2]) {
        const page = await browser.newPage();
        page.on("pageerror", (e) => process.stderr.write(`  page error: ${e.message}\n`));
        await page.goto(base);
        await page.waitForFunction(() => "__clickBench" in window);
        const setup = { meta: model.meta, width, height: width, threads };
        const info = await page.evaluate(async (s) => {
          const b = window.__clickBench;
          b.ready = await b.init(s);
          return { loadMs: b.ready.loadMs, isolated: b.ready.crossOriginIsolated };
        }, setup);
        modelLoadMs = Math.max(modelLoadMs, info.loadMs);
        isolated = info.isolated;
        const run = (mode: "browser" | "server") =>
          page.evaluate(([m, r, k]) => window.__clickBench.ready!.time(m, r, k), [
            mode,
            rounds,
            clicksPerRound,
          ] as const);
        await run("browser"); // warm-up: first runs compile kernels
        browserTimes[threads] = summary((await run("browser")).times);
        if (threads === 1) {
          await run("server");
          roundTrip = summary((await run("server")).times);
        }
        await page.close();
      }
      out.push({ width, browser: browserTimes, server: roundTrip!, modelLoadMs, crossOriginIsolated: isolated });
    }
  } finally {
    await browser.close();
    server.close();
  }
  return out;
}
