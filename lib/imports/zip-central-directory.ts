import { open } from "node:fs/promises";

/** One entry as the archive's central directory lists it. */
export interface CentralEntry {
  /** The name as the streaming reader (fflate) decodes it: UTF-8 when flagged, else Latin-1. */
  name: string;
  /** A Unix symbolic link, by its external attributes (file type bits of the mode). */
  symlink: boolean;
}

type ReadAt = (offset: number, length: number) => Promise<Buffer>;

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL_HEADER = 0x02014b50;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const UNIX_HOSTS = new Set([3, 19]); // Unix, OS X
/** The central directory is read in memory; past this it is not read at all. */
const MAX_CENTRAL_BYTES = 256 * 1024 * 1024;

/**
 * The central directory of a ZIP archive (what only it records: which entries are symbolic
 * links, and every entry's name even when reading stops early), or undefined when it cannot
 * be found (a truncated archive, or not a ZIP).
 */
async function readCentralDirectory(size: number, readAt: ReadAt): Promise<CentralEntry[] | undefined> {
  const tailLength = Math.min(size, 65_557);
  const tail = await readAt(size - tailLength, tailLength);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) return undefined;
  let count = tail.readUInt16LE(at + 10);
  let cdSize = tail.readUInt32LE(at + 12);
  let cdOffset = tail.readUInt32LE(at + 16);
  if (
    (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) &&
    at >= 20 &&
    tail.readUInt32LE(at - 20) === ZIP64_LOCATOR
  ) {
    const z64 = await readAt(Number(tail.readBigUInt64LE(at - 12)), 56);
    if (z64.readUInt32LE(0) !== ZIP64_EOCD) return undefined;
    count = Number(z64.readBigUInt64LE(32));
    cdSize = Number(z64.readBigUInt64LE(40));
    cdOffset = Number(z64.readBigUInt64LE(48));
  }
  if (cdSize > MAX_CENTRAL_BYTES || cdOffset + cdSize > size) return undefined;
  const cd = await readAt(cdOffset, cdSize);
  const entries: CentralEntry[] = [];
  let p = 0;
  while (entries.length < count && p + 46 <= cd.length && cd.readUInt32LE(p) === CENTRAL_HEADER) {
    const host = cd[p + 5];
    const flags = cd.readUInt16LE(p + 8);
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const commentLength = cd.readUInt16LE(p + 32);
    const mode = cd.readUInt32LE(p + 38) >>> 16;
    const raw = cd.subarray(p + 46, p + 46 + nameLength);
    const name = raw.toString(flags & 0x800 ? "utf8" : "latin1");
    entries.push({ name, symlink: UNIX_HOSTS.has(host) && (mode & S_IFMT) === S_IFLNK });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

export function centralDirectoryOf(archive: Buffer): Promise<CentralEntry[] | undefined> {
  return readCentralDirectory(archive.length, async (offset, length) =>
    archive.subarray(offset, offset + length),
  ).catch(() => undefined);
}

export async function centralDirectoryOfFile(file: string): Promise<CentralEntry[] | undefined> {
  const fh = await open(file, "r");
  try {
    const { size } = await fh.stat();
    return await readCentralDirectory(size, async (offset, length) => {
      const b = Buffer.alloc(length);
      const { bytesRead } = await fh.read(b, 0, length, offset);
      return b.subarray(0, bytesRead);
    });
  } catch {
    return undefined;
  } finally {
    await fh.close();
  }
}
