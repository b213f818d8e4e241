import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { crc32 } from "node:zlib";

const FLUSH_AT = 256 * 1024;

/**
 * A temporary file written in order (metadata tables, COCO parts, the zip central directory),
 * so that what grows with the project lives on disk, not in memory. Tracks size, SHA-256 and
 * CRC-32 as it is written, for the archive entry that later carries it.
 */
export class SpoolFile {
  private handle: FileHandle | null = null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly hash: Hash = createHash("sha256");
  private crc = 0;
  private length = 0;
  private closed = false;

  constructor(readonly path: string) {}

  get size(): number {
    return this.length;
  }

  get crc32(): number {
    return this.crc;
  }

  async append(data: string | Uint8Array): Promise<void> {
    if (this.closed) throw new Error("spool file already closed");
    const buf =
      typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (buf.length === 0) return;
    this.hash.update(buf);
    this.crc = crc32(buf, this.crc);
    this.length += buf.length;
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    if (this.pendingBytes >= FLUSH_AT) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.pendingBytes) return;
    this.handle ??= await open(this.path, "w");
    const data = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    await this.handle.write(data);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.handle ??= await open(this.path, "w");
    await this.handle.close();
    this.closed = true;
  }

  sha256(): string {
    return this.hash.copy().digest("hex");
  }

  /** The file's bytes; close() first. */
  read(): AsyncIterable<Uint8Array> {
    if (!this.closed) throw new Error("close the spool file before reading it");
    return createReadStream(this.path, { highWaterMark: 1 << 20 });
  }
}
