import { createReadStream } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { crc32 } from "node:zlib";

const FLUSH_AT = 256 * 1024;

/**
 * A temporary file written in order (metadata tables, COCO parts, the zip central directory),
 * so that what grows with the project lives on disk, not in memory. Appends are copied into a
 * 256 KiB buffer (strings encoded straight into it) that is written out, and folded into the
 * CRC-32 the zip entry needs, once full. Tracks size and CRC-32.
 */
export class SpoolFile {
  private handle: FileHandle | null = null;
  private buf = Buffer.allocUnsafe(FLUSH_AT);
  private used = 0;
  private crc = 0;
  private length = 0;
  private closed = false;

  constructor(readonly path: string) {}

  get size(): number {
    return this.length;
  }

  /** CRC-32 of everything appended; read after close(). */
  get crc32(): number {
    return this.crc;
  }

  async append(data: string | Uint8Array): Promise<void> {
    if (this.closed) throw new Error("spool file already closed");
    if (typeof data === "string") {
      // Encoded in place when it fits for sure (UTF-8 is at most 3 bytes per UTF-16 unit).
      if (data.length * 3 > FLUSH_AT - this.used) {
        if (this.used) await this.flush();
        if (data.length * 3 > FLUSH_AT) return this.appendBytes(Buffer.from(data, "utf8"));
      }
      const n = this.buf.write(data, this.used, "utf8");
      this.used += n;
      this.length += n;
      return;
    }
    return this.appendBytes(data);
  }

  private async appendBytes(data: Uint8Array): Promise<void> {
    if (data.length === 0) return;
    if (this.used + data.length > FLUSH_AT) await this.flush();
    this.length += data.length;
    if (data.length > FLUSH_AT) {
      this.crc = crc32(data, this.crc);
      this.handle ??= await open(this.path, "w");
      await this.handle.write(data);
      return;
    }
    this.buf.set(data, this.used);
    this.used += data.length;
  }

  private async flush(): Promise<void> {
    if (!this.used) return;
    const data = this.buf.subarray(0, this.used);
    this.crc = crc32(data, this.crc);
    this.handle ??= await open(this.path, "w");
    await this.handle.write(data);
    this.used = 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.handle ??= await open(this.path, "w");
    await this.handle.close();
    this.closed = true;
  }

  /** The file's bytes; close() first. */
  read(): AsyncIterable<Uint8Array> {
    if (!this.closed) throw new Error("close the spool file before reading it");
    return createReadStream(this.path, { highWaterMark: 1 << 20 });
  }
}
