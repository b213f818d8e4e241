import { assertArchivePath, writeBody, type ArchiveEntry, type ArchiveWriter } from "./archive-entry";
import type { ByteSink } from "./byte-sink";

const BLOCK = 512;
const RECORD = 20 * BLOCK; // what tar(1) pads an archive to

function octal(buf: Buffer, offset: number, width: number, value: number): void {
  buf.write(value.toString(8).padStart(width - 1, "0"), offset, width - 1, "ascii");
  buf[offset + width - 1] = 0;
}

/** Sizes of 8 GiB and more do not fit 11 octal digits: the GNU/POSIX base-256 form. */
function sizeField(buf: Buffer, value: number): void {
  if (value < 8 ** 11) return octal(buf, 124, 12, value);
  buf[124] = 0x80;
  let v = BigInt(value);
  for (let i = 135; i > 124; i--) {
    buf[i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** Splits a path into ustar's prefix (≤155 bytes) and name (≤100 bytes) at a slash. */
export function splitName(path: string): { name: string; prefix: string } {
  if (path.length <= 100) return { name: path, prefix: "" };
  for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) {
    if (i <= 155 && path.length - i - 1 <= 100) return { prefix: path.slice(0, i), name: path.slice(i + 1) };
  }
  throw new Error(`archive path too long for ustar: ${path}`);
}

/**
 * A ustar header with everything that could vary between runs fixed: mode 0644, uid/gid 0,
 * no user or group names, mtime 0. Identical inputs give identical bytes.
 */
export function tarHeader(path: string, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const { name, prefix } = splitName(assertArchivePath(path));
  h.write(name, 0, 100, "ascii");
  octal(h, 100, 8, 0o644);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  sizeField(h, size);
  octal(h, 136, 12, 0);
  h.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  h[156] = 0x30; // '0': regular file
  h.write("ustar\u000000", 257, 8, "ascii");
  octal(h, 329, 8, 0);
  octal(h, 337, 8, 0);
  h.write(prefix, 345, 155, "ascii");
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i];
  h.write(sum.toString(8).padStart(6, "0"), 148, 6, "ascii");
  h[154] = 0;
  h[155] = 0x20;
  return h;
}

const padding = (n: number) => (BLOCK - (n % BLOCK)) % BLOCK;

export class TarWriter implements ArchiveWriter {
  private count = 0;
  constructor(private readonly sink: ByteSink) {}

  get fileCount(): number {
    return this.count;
  }

  async add(entry: ArchiveEntry): Promise<string> {
    await this.sink.write(tarHeader(entry.path, entry.size));
    const sha = await writeBody(this.sink, entry);
    const pad = padding(entry.size);
    if (pad) await this.sink.zeros(pad);
    this.count++;
    return sha;
  }

  /** Two zero blocks end the archive; then zeros up to a whole record, as tar(1) writes. */
  async finish(): Promise<void> {
    const end = this.sink.bytes + 2 * BLOCK;
    await this.sink.zeros(2 * BLOCK + ((RECORD - (end % RECORD)) % RECORD));
  }
}
