// The cornerstone codec builds and jpeg-lossless-decoder-js ship no type declarations for the
// entry points Tandem loads; these cover only what lib/images/dicom/codecs uses.

interface EmscriptenCodecOptions {
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}

interface CodecFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

/** The decoder classes of the cornerstone codec builds share this shape. */
interface WasmFrameDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): CodecFrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

interface WasmCodecModule {
  JPEGDecoder?: new () => WasmFrameDecoder;
  JpegLSDecoder?: new () => WasmFrameDecoder;
  J2KDecoder?: new () => WasmFrameDecoder;
  HTJ2KDecoder?: new () => WasmFrameDecoder;
}

declare module "@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs" {
  const factory: (options?: EmscriptenCodecOptions) => Promise<WasmCodecModule>;
  export default factory;
}
declare module "@cornerstonejs/codec-charls/decodewasmjs" {
  const factory: (options?: EmscriptenCodecOptions) => Promise<WasmCodecModule>;
  export default factory;
}
declare module "@cornerstonejs/codec-openjpeg/decodewasmjs" {
  const factory: (options?: EmscriptenCodecOptions) => Promise<WasmCodecModule>;
  export default factory;
}
declare module "@cornerstonejs/codec-openjph/wasmjs" {
  const factory: (options?: EmscriptenCodecOptions) => Promise<WasmCodecModule>;
  export default factory;
}
declare module "jpeg-lossless-decoder-js" {
  export class Decoder {
    xDim: number;
    yDim: number;
    numComp: number;
    precision: number;
    decode(buffer: ArrayBuffer, offset?: number, length?: number, numBytes?: number): Uint8Array | Uint16Array;
  }
}
