import { closeSync, createReadStream, openSync, writeSync } from "node:fs";
import { crc32 } from "node:zlib";

const FLUSH_AT = 256 * 1024;
const READ_CHUNK = 64 * 1024;

/**
 * A temporary file written in order (metadata tables, COCO parts, the zip central directory),
 * so that what grows with the project lives on disk, not in memory. Appends are copied into a
 * 256 KiB buffer (strings encoded straight into it) that is written out, and folded into the
 * CRC-32 the zip entry needs, once full. Tracks size and CRC-32.
 *
 * Appends are synchronous: a write of 256 KiB to a temporary file costs tens of microseconds,
 * and an export appends several table rows per item, where an awaited append cost more than
 * the row itself. Nothing reads the file until close(). Export processes (the worker, the CLI)
 * are not the web server, so a blocked event loop during a write delays no request.
 */
export class SpoolFile {
  private fd = -1;
  private readonly buf = Buffer.allocUnsafe(FLUSH_AT);
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

  append(data: string | Uint8Array): void {
    if (this.closed) throw new Error("spool file already closed");
    if (typeof data === "string") {
      // Encoded in place when it fits for sure (UTF-8 is at most 3 bytes per UTF-16 unit).
      if (data.length * 3 > FLUSH_AT - this.used) {
        if (this.used) this.flush();
        if (data.length * 3 > FLUSH_AT) return this.appendBytes(Buffer.from(data, "utf8"));
      }
      const n = this.buf.write(data, this.used, "utf8");
      this.used += n;
      this.length += n;
      return;
    }
    this.appendBytes(data);
  }

  private appendBytes(data: Uint8Array): void {
    if (data.length === 0) return;
    if (this.used + data.length > FLUSH_AT) this.flush();
    this.length += data.length;
    if (data.length > FLUSH_AT) {
      this.crc = crc32(data, this.crc);
      this.writeAll(data);
      return;
    }
    this.buf.set(data, this.used);
    this.used += data.length;
  }

  private writeAll(data: Uint8Array): void {
    if (this.fd < 0) this.fd = openSync(this.path, "w");
    for (let at = 0; at < data.length; ) at += writeSync(this.fd, data, at, data.length - at);
  }

  private flush(): void {
    if (!this.used) return;
    const data = this.buf.subarray(0, this.used);
    this.crc = crc32(data, this.crc);
    this.writeAll(data);
    this.used = 0;
  }

  /** Writes what is buffered and closes the file (async for its callers; the work is synchronous). */
  async close(): Promise<void> {
    this.closeSync();
  }

  closeSync(): void {
    if (this.closed) return;
    this.flush();
    if (this.fd < 0) this.fd = openSync(this.path, "w");
    closeSync(this.fd);
    this.fd = -1;
    this.closed = true;
  }

  /** Closes the file without writing what is buffered (a failed export; the folder is removed). No-op once closed. */
  dispose(): void {
    if (this.closed) return;
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.closed = true;
  }

  /**
   * The file's bytes; close() first. Read 64 KiB at a time (the zip writer's central
   * directory): larger chunks grew the process by tens of MB at the end of an export.
   */
  read(): AsyncIterable<Uint8Array> {
    return createReadStream(this.part().path, { highWaterMark: READ_CHUNK });
  }

  /** The closed file as part of an entry's body: the archive thread reads it by path, the bytes never pass through here. */
  part(): { path: string } {
    if (!this.closed) throw new Error("close the spool file before reading it");
    return { path: this.path };
  }
}
