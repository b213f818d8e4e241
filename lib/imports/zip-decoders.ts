import {
  Inflate,
  type AsyncFlateStreamHandler,
  type FlateError,
  type UnzipDecoder,
  type UnzipDecoderConstructor,
} from "fflate";

/** Lets the extractor reach the decoder fflate builds inside `file.start()`. */
export interface DecoderControl {
  /** When set, the next decoder built drops everything pushed to it (a refused entry). */
  discard: boolean;
  last?: GuardedDecoder;
}

export interface GuardedDecoder extends UnzipDecoder {
  /** Compressed bytes received so far: the denominator of the entry's ratio. */
  inBytes: number;
  terminate(): void;
}

/**
 * fflate's synchronous inflater cannot be stopped: `terminate()` is a no-op and a bomb would
 * keep inflating into a handler that ignores it. These decoders stop for real (and can be
 * born stopped, for refused entries), so nothing past a limit is ever decompressed.
 */
export function guardedDecoders(control: DecoderControl): UnzipDecoderConstructor[] {
  abstract class Guarded implements GuardedDecoder {
    ondata: AsyncFlateStreamHandler = () => undefined;
    inBytes = 0;
    protected stopped = control.discard;
    constructor() {
      control.last = this;
    }
    push(chunk: Uint8Array, final: boolean): void {
      if (this.stopped) return;
      this.inBytes += chunk.length;
      try {
        this.process(chunk, final);
      } catch (e) {
        this.stopped = true;
        this.ondata(e as FlateError, new Uint8Array(0), true);
      }
    }
    terminate(): void {
      this.stopped = true;
    }
    protected abstract process(chunk: Uint8Array, final: boolean): void;
  }
  class Stored extends Guarded {
    static compression = 0;
    protected process(chunk: Uint8Array, final: boolean) {
      this.ondata(null, chunk as Uint8Array<ArrayBuffer>, final);
    }
  }
  class Deflated extends Guarded {
    static compression = 8;
    private readonly inflate = new Inflate((data, final) => {
      if (!this.stopped) this.ondata(null, data, final);
    });
    protected process(chunk: Uint8Array, final: boolean) {
      this.inflate.push(chunk, final);
    }
  }
  return [Stored, Deflated];
}

/** Every other method number fflate could meet in a local header: accepted, then dropped unread. */
export function refusingDecoders(control: DecoderControl): UnzipDecoderConstructor[] {
  const out: UnzipDecoderConstructor[] = [];
  for (let method = 1; method < 256; method++) {
    if (method === 8) continue;
    out.push(
      class implements GuardedDecoder {
        static compression = method;
        ondata: AsyncFlateStreamHandler = () => undefined;
        inBytes = 0;
        constructor() {
          control.last = this;
        }
        push(): void {}
        terminate(): void {}
      },
    );
  }
  return out;
}

const METHOD_NAMES: Record<number, string> = {
  9: "Deflate64",
  12: "bzip2",
  14: "LZMA",
  93: "Zstandard",
  95: "XZ",
  98: "PPMd",
  99: "AES encryption",
};

export const methodName = (m: number) => METHOD_NAMES[m] ?? `method ${m}`;
