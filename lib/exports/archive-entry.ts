import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { crc32 } from "node:zlib";
import type { ByteSink } from "./byte-sink";

/**
 * A body made of local files (each read whole, by path) and bytes, in order: the spooled
 * tables. The archive thread reads the files itself; the other writers stream them.
 */
export type BodyParts = { parts: (Uint8Array | { path: string })[] };

export type EntryBody = Uint8Array | (() => AsyncIterable<Uint8Array>) | BodyParts;

const PART_READ = 64 * 1024;

/** A body's bytes in order, whatever its form. */
export async function* bodyChunks(body: EntryBody): AsyncIterable<Uint8Array> {
  if (body instanceof Uint8Array) yield body;
  else if (typeof body === "function") yield* body();
  else
    for (const p of body.parts) {
      if (p instanceof Uint8Array) yield p;
      else yield* createReadStream(p.path, { highWaterMark: PART_READ });
    }
}

/** A file in the archive: its size is known before its bytes are written. */
export interface ArchiveEntry {
  path: string;
  size: number;
  body: EntryBody;
  /** CRC-32 of the body when already known (zip needs it before the data). */
  crc32?: number;
  /** SHA-256 (hex) of the body when already computed off the write path: not hashed again. */
  sha256?: string;
}

/**
 * A stored object on local disk that the archive writer reads itself (ThreadTarWriter), with
 * its recorded SHA-256 (listed in the manifest as it is) and what to check as it is read.
 */
export interface StoredFile {
  /** Absolute path of the object's file. */
  path: string;
  sha256: string;
  /** Hash the bytes as they are read and fail unless they match `sha256` (masks). */
  verify: boolean;
  /** A PNG that must have this size (working images). */
  png?: { width: number; height: number };
  /** Names the object in an error: the mask's or the image's id. */
  id: string;
}

export interface ArchiveWriter {
  /** Writes one entry; returns the SHA-256 (hex) of its content. */
  add(entry: ArchiveEntry): Promise<string>;
  /** Writers that read stored files themselves (see ThreadTarWriter): returns the recorded SHA-256. */
  addStored?(path: string, file: StoredFile): Promise<string>;
  finish(): Promise<void>;
  readonly fileCount: number;
}

// Segments start with a letter or digit; single inner spaces are allowed for QaTa-COV19's "Train Set".
const segment = "[A-Za-z0-9][A-Za-z0-9._-]*(?: [A-Za-z0-9._-]+)*";
const safePath = new RegExp(`^${segment}(?:/${segment})*$`);

/**
 * Archive paths are chosen by Tandem; this refuses anything an extractor could misread. A
 * segment starts with a letter or digit (so never "." or "..") and is ASCII (so the length is
 * the byte length).
 */
export function assertArchivePath(p: string): string {
  if (p.length > 255 || !safePath.test(p)) {
    throw new Error(`unsafe archive path: ${JSON.stringify(p)}`);
  }
  return p;
}

/** Streams an entry's body into the sink, checking its declared size; returns its SHA-256. */
export async function writeBody(sink: ByteSink, entry: ArchiveEntry): Promise<string> {
  if (entry.sha256 !== undefined && entry.body instanceof Uint8Array) {
    if (entry.body.length !== entry.size)
      throw new Error(`${entry.path}: ${entry.body.length} bytes, declared ${entry.size}`);
    await sink.write(entry.body);
    return entry.sha256;
  }
  const hash = createHash("sha256");
  let n = 0;
  for await (const c of bodyChunks(entry.body)) {
    n += c.length;
    if (n > entry.size) throw new Error(`${entry.path}: more bytes than the declared ${entry.size}`);
    hash.update(c);
    await sink.write(c);
  }
  if (n !== entry.size) throw new Error(`${entry.path}: ${n} bytes, declared ${entry.size}`);
  return hash.digest("hex");
}

export async function entryCrc32(entry: ArchiveEntry): Promise<number> {
  if (entry.crc32 !== undefined) return entry.crc32;
  if (entry.body instanceof Uint8Array) return crc32(entry.body);
  let c = 0;
  for await (const chunk of bodyChunks(entry.body)) c = crc32(chunk, c);
  return c;
}
