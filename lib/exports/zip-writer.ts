import { assertArchivePath, entryCrc32, writeBody, type ArchiveEntry, type ArchiveWriter } from "./archive-entry";
import type { ByteSink } from "./byte-sink";
import type { SpoolFile } from "./spool-file";

const MAX32 = 0xffffffff;
const MAX16 = 0xffff;
// 1980-01-01 00:00:00, the earliest MS-DOS date: the fixed timestamp of every entry.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const UTF8_NAMES = 0x0800;
const MADE_BY_UNIX = (3 << 8) | 45;
const FILE_MODE = (0o100644 << 16) >>> 0;

function zip64Extra(fields: number[]): Buffer {
  const b = Buffer.alloc(4 + 8 * fields.length);
  b.writeUInt16LE(0x0001, 0);
  b.writeUInt16LE(8 * fields.length, 2);
  fields.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), 4 + 8 * i));
  return b;
}

/**
 * A stored (uncompressed) zip: images and masks are PNGs already, so deflating them again
 * costs time for nothing, and stored entries are byte-identical on every machine. Zip64 records
 * appear where sizes, offsets or the entry count need them. The central directory is spooled to
 * a temporary file so memory stays flat for any number of entries.
 */
export class ZipWriter implements ArchiveWriter {
  private count = 0;
  constructor(
    private readonly sink: ByteSink,
    private readonly directory: SpoolFile,
  ) {}

  get fileCount(): number {
    return this.count;
  }

  async add(entry: ArchiveEntry): Promise<string> {
    const name = Buffer.from(assertArchivePath(entry.path), "utf8");
    const crc = await entryCrc32(entry);
    const offset = this.sink.bytes;
    const big = entry.size >= MAX32;
    const localExtra = big ? zip64Extra([entry.size, entry.size]) : Buffer.alloc(0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(big ? 45 : 20, 4);
    local.writeUInt16LE(UTF8_NAMES, 6);
    local.writeUInt16LE(0, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(big ? MAX32 : entry.size, 18);
    local.writeUInt32LE(big ? MAX32 : entry.size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(localExtra.length, 28);
    await this.sink.write(Buffer.concat([local, name, localExtra]));
    const sha = await writeBody(this.sink, entry);

    const farOffset = offset >= MAX32;
    const centralFields = [...(big ? [entry.size, entry.size] : []), ...(farOffset ? [offset] : [])];
    const centralExtra = centralFields.length ? zip64Extra(centralFields) : Buffer.alloc(0);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(MADE_BY_UNIX, 4);
    central.writeUInt16LE(centralFields.length ? 45 : 20, 6);
    central.writeUInt16LE(UTF8_NAMES, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(big ? MAX32 : entry.size, 20);
    central.writeUInt32LE(big ? MAX32 : entry.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(centralExtra.length, 30);
    central.writeUInt16LE(0, 32); // comment length
    central.writeUInt16LE(0, 34); // disk number start
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE(FILE_MODE, 38);
    central.writeUInt32LE(farOffset ? MAX32 : offset, 42);
    await this.directory.append(Buffer.concat([central, name, centralExtra]));
    this.count++;
    return sha;
  }

  async finish(): Promise<void> {
    await this.directory.close();
    const cdOffset = this.sink.bytes;
    for await (const chunk of this.directory.read()) await this.sink.write(chunk);
    const cdSize = this.directory.size;
    const needs64 = this.count >= MAX16 || cdOffset >= MAX32 || cdSize >= MAX32;
    if (needs64) {
      const eocd64Offset = this.sink.bytes;
      const r = Buffer.alloc(56 + 20);
      r.writeUInt32LE(0x06064b50, 0);
      r.writeBigUInt64LE(44n, 4);
      r.writeUInt16LE(MADE_BY_UNIX, 12);
      r.writeUInt16LE(45, 14);
      r.writeUInt32LE(0, 16);
      r.writeUInt32LE(0, 20);
      r.writeBigUInt64LE(BigInt(this.count), 24);
      r.writeBigUInt64LE(BigInt(this.count), 32);
      r.writeBigUInt64LE(BigInt(cdSize), 40);
      r.writeBigUInt64LE(BigInt(cdOffset), 48);
      r.writeUInt32LE(0x07064b50, 56);
      r.writeUInt32LE(0, 60);
      r.writeBigUInt64LE(BigInt(eocd64Offset), 64);
      r.writeUInt32LE(1, 72);
      await this.sink.write(r);
    }
    const e = Buffer.alloc(22);
    e.writeUInt32LE(0x06054b50, 0);
    e.writeUInt16LE(0, 4);
    e.writeUInt16LE(0, 6);
    e.writeUInt16LE(Math.min(this.count, MAX16), 8);
    e.writeUInt16LE(Math.min(this.count, MAX16), 10);
    e.writeUInt32LE(Math.min(cdSize, MAX32), 12);
    e.writeUInt32LE(Math.min(cdOffset, MAX32), 16);
    e.writeUInt16LE(0, 20);
    await this.sink.write(e);
  }
}
