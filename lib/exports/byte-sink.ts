import { createHash } from "node:crypto";
import { once } from "node:events";
import type { Writable } from "node:stream";

/** Writes to a stream with back-pressure, counting and hashing every byte of the archive. */
export class ByteSink {
  private readonly hash = createHash("sha256");
  private written = 0;
  constructor(private readonly out: Writable) {}

  get bytes(): number {
    return this.written;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (chunk.length === 0) return;
    this.hash.update(chunk);
    this.written += chunk.length;
    if (this.out.destroyed) throw new Error("the archive output was closed");
    if (!this.out.write(chunk)) await once(this.out, "drain");
  }

  /** Ends the stream; the caller awaits whatever consumes it. */
  end(): string {
    this.out.end();
    return this.hash.digest("hex");
  }
}
