import type { PixelCodec } from "../transfer-syntax";

/**
 * The Emscripten builds of libjpeg-turbo, CharLS, OpenJPEG and OpenJPH, each compiled and instantiated
 * once, on first use. They are loaded with a plain dynamic import of the package so that Node
 * resolves them at run time (next.config.js lists them in serverExternalPackages): each build
 * then finds its .wasm file next to its own script. Codec chatter ("[INFO] …") is discarded.
 * One instance per codec for the life of the process; a decode error is a C++ exception that
 * leaves the instance usable.
 */
type WasmCodec = Extract<PixelCodec, "jpeg" | "jpeg-ls" | "jpeg2000" | "htj2k">;

// Emscripten makes the object passed in the module itself: each instance needs its own.
const quiet = () => ({ print: () => {}, printErr: () => {} });

const loaders: Record<WasmCodec, () => Promise<new () => WasmFrameDecoder>> = {
  jpeg: async () => {
    const m = await (await import("@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs")).default(quiet());
    return m.JPEGDecoder!;
  },
  "jpeg-ls": async () => {
    const m = await (await import("@cornerstonejs/codec-charls/decodewasmjs")).default(quiet());
    return m.JpegLSDecoder!;
  },
  jpeg2000: async () => {
    const m = await (await import("@cornerstonejs/codec-openjpeg/decodewasmjs")).default(quiet());
    return m.J2KDecoder!;
  },
  htj2k: async () => {
    // OpenJPH ships one build (encoder and decoder together).
    const m = await (await import("@cornerstonejs/codec-openjph/wasmjs")).default(quiet());
    return m.HTJ2KDecoder!;
  },
};

const loaded = new Map<WasmCodec, Promise<new () => WasmFrameDecoder>>();

export function wasmDecoder(codec: WasmCodec): Promise<new () => WasmFrameDecoder> {
  let p = loaded.get(codec);
  if (!p) {
    p = loaders[codec]();
    // A failed load is not cached: the next file tries again.
    p.catch(() => loaded.delete(codec));
    loaded.set(codec, p);
  }
  return p;
}

export type { WasmCodec };
