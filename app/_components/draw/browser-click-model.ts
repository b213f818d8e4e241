// The Smart tool's click model in the MD's browser: onnxruntime-web's wasm backend, imported at
// run time from the app's own /api/ort/<version>/ (no bundler, no CDN), one thread (the page is
// not cross-origin isolated; one thread was also the faster at 1024² in the bench). The model
// file comes from its role-checked route and is checked against the hash the server gave.
import type * as Ort from "onnxruntime-web/wasm";
import { clickStep, prepareClickImage, type RunClickNetwork } from "@/lib/assist/click-step";
import { MAX_CLICK_MODEL_BYTES } from "@/lib/assist/limits";
import type { AssistStatus, Click } from "@/lib/assist/types";

export type BrowserModelSpec = NonNullable<AssistStatus["browser"]>;

/** One image's click steps, answered in this page. */
export type BrowserClickModel = (clicks: Click[], current: Uint8Array) => Promise<Uint8Array>;

// A page keeps one runtime and one session per model file across the tasks it draws.
let runtime: Promise<typeof Ort> | null = null;
const sessions = new Map<string, Promise<RunClickNetwork>>();

function loadRuntime(spec: BrowserModelSpec): Promise<typeof Ort> {
  runtime ??= (async () => {
    if (typeof WebAssembly !== "object") throw new Error("this browser has no WebAssembly");
    const ort = (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ spec.runtime.entry)) as typeof Ort;
    ort.env.wasm.wasmPaths = spec.runtime.base;
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    return ort;
  })();
  runtime.catch(() => {
    runtime = null;
  });
  return runtime;
}

async function sha256Hex(bytes: Uint8Array): Promise<string | null> {
  // SubtleCrypto exists only in secure contexts (https, localhost); elsewhere the route's ETag stands.
  if (!globalThis.crypto?.subtle) return null;
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function loadNetwork(spec: BrowserModelSpec): Promise<RunClickNetwork> {
  const ort = await loadRuntime(spec);
  const res = await fetch(spec.url, { credentials: "same-origin" });
  if (!res.ok) throw new Error(`the model could not be downloaded (${res.status})`);
  if (Number(res.headers.get("content-length") ?? 0) > MAX_CLICK_MODEL_BYTES) throw new Error("the model is too large");
  const bytes = new Uint8Array(await res.arrayBuffer());
  const hash = await sha256Hex(bytes);
  if (hash !== null && hash !== spec.sha256) throw new Error("the downloaded model does not match its hash");
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ["wasm"],
    graphOptimizationLevel: "all",
  });
  if ([...session.inputNames].sort().join(",") !== "clicks,image")
    throw new Error(`not a click model: inputs are ${session.inputNames.join(", ")}`);
  return async (pixels, maps, s) => {
    const out = await session.run({
      image: new ort.Tensor("float32", pixels, [1, 1, s, s]),
      clicks: new ort.Tensor("float32", maps, [1, 3, s, s]),
    });
    return out.prob.data as Float32Array;
  };
}

/** Loads (once per model) and prepares this image; rejects when the browser cannot run it. */
export async function browserClickModel(
  spec: BrowserModelSpec,
  gray: Uint8Array,
  width: number,
  height: number,
): Promise<BrowserClickModel> {
  let network = sessions.get(spec.url);
  if (!network) {
    network = loadNetwork(spec);
    sessions.set(spec.url, network);
    network.catch(() => sessions.delete(spec.url));
  }
  const run = await network;
  const image = prepareClickImage(gray, width, height, spec.size);
  return (clicks, current) => clickStep(run, spec, image, clicks, current);
}
