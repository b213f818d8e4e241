import { readFile } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../errors/app-error";

// The Smart tool runs the click model in the MD's browser with onnxruntime-web (wasm, one
// thread). The app serves the runtime's files itself from node_modules (no CDN), under the
// installed version, so a browser may keep them for good and an upgrade changes the address.
const FILES: Record<string, string> = {
  "ort.wasm.min.mjs": "text/javascript; charset=utf-8",
  "ort-wasm-simd-threaded.mjs": "text/javascript; charset=utf-8",
  "ort-wasm-simd-threaded.wasm": "application/wasm",
};
const ENTRY = "ort.wasm.min.mjs";

const dist = () => path.join(process.cwd(), "node_modules", "onnxruntime-web", "dist");
let installed: Promise<string> | null = null;

function ortVersion(): Promise<string> {
  installed ??= readFile(path.join(dist(), "..", "package.json"), "utf8").then(
    (t) => (JSON.parse(t) as { version: string }).version,
  );
  return installed;
}

/** Where the browser imports the runtime from, and the folder it fetches its wasm from. */
export async function browserRuntime(): Promise<{ entry: string; base: string }> {
  const base = `/api/ort/${await ortVersion()}/`;
  return { entry: `${base}${ENTRY}`, base };
}

/** One runtime file, only for the installed version and only the files the wasm backend needs. */
export async function browserRuntimeFile(version: string, file: string): Promise<{ bytes: Buffer; type: string }> {
  const type = FILES[file];
  if (!type || version !== (await ortVersion())) throw new AppError("NOT_FOUND", "No such runtime file");
  return { bytes: await readFile(path.join(dist(), file)), type };
}
