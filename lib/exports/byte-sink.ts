import { createHash } from "node:crypto";
import { once } from "node:events";
import type { Writable } from "node:stream";

/** Bytes gathered before one hash update and one stream write. */
const STAGE_BYTES = 1 << 20;

/**
 * Writes to a stream with back-pressure, counting and hashing every byte of the archive. Small
 * writes (headers, padding, PNGs of a few KB) are copied into a 1 MiB staging buffer that goes
 * out as one chunk: one hash update and one stream write per MiB instead of several per file.
 * Memory stays bounded: the stage, plus what the stream buffers before it signals back-pressure.
 */
export class ByteSink {
  private readonly hash = createHash("sha256");
  private written = 0;
  private stage = Buffer.allocUnsafe(STAGE_BYTES);
  private used = 0;
  constructor(private readonly out: Writable) {}

  /** Bytes written so far (staged bytes included): the offset of the next byte of the archive. */
  get bytes(): number {
    return this.written;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (chunk.length === 0) return;
    if (this.out.destroyed) throw new Error("the archive output was closed");
    this.written += chunk.length;
    const large = chunk.length >= STAGE_BYTES / 2;
    if (large || this.used + chunk.length > STAGE_BYTES) await this.flush();
    if (large) {
      this.hash.update(chunk);
      return this.send(chunk);
    }
    this.stage.set(chunk, this.used);
    this.used += chunk.length;
  }

  /** Writes `n` zero bytes (tar padding, end blocks). */
  async zeros(n: number): Promise<void> {
    while (n > 0) {
      if (this.out.destroyed) throw new Error("the archive output was closed");
      if (this.used === STAGE_BYTES) await this.flush();
      const k = Math.min(n, STAGE_BYTES - this.used);
      this.stage.fill(0, this.used, this.used + k);
      this.used += k;
      this.written += k;
      n -= k;
    }
  }

  /** Hands the staged bytes to the stream; the stream owns that buffer from then on. */
  private takeStage(): Buffer | null {
    if (this.used === 0) return null;
    const staged = this.stage.subarray(0, this.used);
    this.hash.update(staged);
    this.stage = Buffer.allocUnsafe(STAGE_BYTES);
    this.used = 0;
    return staged;
  }

  private async flush(): Promise<void> {
    const staged = this.takeStage();
    if (staged) await this.send(staged);
  }

  private async send(chunk: Uint8Array): Promise<void> {
    if (this.out.destroyed) throw new Error("the archive output was closed");
    if (!this.out.write(chunk)) await once(this.out, "drain");
  }

  /** Writes what is staged and ends the stream; the caller awaits whatever consumes it. */
  end(): string {
    const staged = this.takeStage();
    if (staged) this.out.write(staged);
    this.out.end();
    return this.hash.digest("hex");
  }
}
