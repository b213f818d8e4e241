import { Unzip, type UnzipFile } from "fflate";
import { displayName, isJunkPath, unsafeArchivePath } from "./file-names";
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from "./limits";
import type { ImportFile } from "./types";
import type { CentralEntry } from "./zip-central-directory";
import {
  guardedDecoders,
  methodName,
  refusingDecoders,
  type DecoderControl,
  type GuardedDecoder,
} from "./zip-decoders";

const SLICE = 16 * 1024; // one push can inflate to at most ~16 MiB (deflate's ~1032:1 ceiling)
const MiB = (n: number) => `${Math.round(n / 1024 / 1024)} MiB`;

export const isZip = (head: Uint8Array) =>
  head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;

interface Entry {
  name: string;
  declared?: number;
  decoder?: GuardedDecoder;
  parts: Uint8Array[];
  out: number;
  done: boolean;
}

/**
 * Streams a ZIP archive into files, one at a time, without writing anything to disk. Entries
 * are checked before and while they inflate: unsafe paths, unknown methods, declared and actual
 * sizes, per-entry and whole-archive ratios, entry count and total size. A refused entry
 * becomes an error item and the rest goes on; a limit on the archive as a whole stops reading
 * and is reported under the archive's own name.
 */
export async function* zipEntries(
  chunks: AsyncIterable<Uint8Array>,
  archiveName: string,
  limitsIn: Partial<ArchiveLimits> = {},
  central?: CentralEntry[],
): AsyncGenerator<ImportFile> {
  const limits = { ...DEFAULT_ARCHIVE_LIMITS, ...limitsIn };
  // Only the central directory says which entries are symbolic links (local headers carry no
  // file mode): a link is refused, and so is every entry whose path goes through one.
  const links = (central ?? []).filter((e) => e.symlink).map((e) => e.name.replace(/\/+$/, ""));
  const linkOf = (entryName: string) => links.find((l) => entryName === l || entryName.startsWith(`${l}/`));
  const reached = new Set<string>();
  const ready: ImportFile[] = [];
  const control: DecoderControl = { discard: false };
  let stopReason: string | null = null;
  let seen = 0;
  let totalIn = 0;
  let totalOut = 0;
  let declaredTotal = 0;
  let current: Entry | null = null;

  const fail = (e: Entry, why: string) => {
    if (e.done) return;
    e.done = true;
    e.parts = [];
    e.decoder?.terminate();
    ready.push({ name: e.name, error: `Archive entry refused: ${why}` });
  };
  const stop = (why: string) => {
    stopReason ??= why;
    if (current) fail(current, "the archive stopped being read here");
  };
  const discard = (file: UnzipFile) => {
    file.ondata = () => undefined;
    control.discard = true;
    try {
      file.start();
    } finally {
      control.discard = false;
    }
  };

  const unzip = new Unzip((file) => {
    if (stopReason) return discard(file); // listed at the end with the other unread entries
    reached.add(file.name);
    if (++seen > limits.maxEntries) {
      stop(`it holds more than ${limits.maxEntries} entries`);
      reached.delete(file.name); // listed with the unread ones
      return discard(file);
    }
    if (file.name.endsWith("/") || isJunkPath(file.name)) return discard(file);
    const name = displayName(file.name);
    const refuse = (why: string) => {
      ready.push({ name, error: `Archive entry refused: ${why}` });
      discard(file);
    };
    const unsafe = unsafeArchivePath(file.name);
    if (unsafe) return refuse(unsafe);
    const link = linkOf(file.name);
    if (link === file.name) return refuse("it is a symbolic link (links are not followed)");
    if (link)
      return refuse(
        `it lies under "${displayName(link)}", which is a symbolic link; nothing reached through a link is imported`,
      );
    if (file.compression !== 0 && file.compression !== 8)
      return refuse(`it uses ${methodName(file.compression)} (only stored and deflate entries are read)`);
    const declared = file.originalSize;
    if (declared !== undefined) {
      if (declared > limits.maxEntryBytes)
        return refuse(`it declares ${declared} bytes; the limit is ${limits.maxEntryBytes}`);
      if (file.size && declared > limits.ratioFloorBytes && declared / file.size > limits.maxRatio) {
        return refuse(
          `it declares a compression ratio of ${Math.round(declared / file.size)}:1 (limit ${limits.maxRatio}:1)`,
        );
      }
      declaredTotal += declared;
      if (declaredTotal > limits.maxTotalBytes) {
        stop(`its entries declare more than ${MiB(limits.maxTotalBytes)} in total`);
        reached.delete(file.name); // listed with the unread ones
        return discard(file);
      }
    }
    const entry: Entry = { name, declared, parts: [], out: 0, done: false };
    current = entry;
    file.ondata = (err, data, final) => {
      if (entry.done) return;
      if (err) return fail(entry, `it could not be decompressed (${err.message.slice(0, 120)})`);
      entry.out += data.length;
      totalOut += data.length;
      const inBytes = Math.max(1, entry.decoder?.inBytes ?? 1);
      if (entry.out > limits.maxEntryBytes) return fail(entry, `it expands beyond ${limits.maxEntryBytes} bytes`);
      if (declared !== undefined && entry.out > declared)
        return fail(entry, `it expands beyond its declared size of ${declared} bytes`);
      if (entry.out > limits.ratioFloorBytes && entry.out / inBytes > limits.maxRatio) {
        return fail(entry, `its compression ratio exceeds ${limits.maxRatio}:1`);
      }
      if (totalOut > limits.maxTotalBytes) return stop(`it expands beyond ${MiB(limits.maxTotalBytes)} in total`);
      if (data.length) entry.parts.push(data);
      if (!final) return;
      entry.done = true;
      if (current === entry) current = null;
      if (declared !== undefined && entry.out !== declared) {
        ready.push({ name, error: `Archive entry refused: it holds ${entry.out} bytes but declares ${declared}` });
      } else if (entry.out === 0) {
        ready.push({ name, error: "Empty file (0 bytes)" });
      } else {
        ready.push({ name, bytes: Buffer.concat(entry.parts) });
      }
      entry.parts = [];
    };
    file.start();
    entry.decoder = control.last;
  });
  for (const d of [...guardedDecoders(control), ...refusingDecoders(control)]) unzip.register(d);

  const push = (chunk: Uint8Array, final: boolean) => {
    try {
      unzip.push(chunk, final);
    } catch (e) {
      if (final && current && !current.done) fail(current, "the archive ends in the middle of it (truncated)");
      stop(final ? "it is truncated" : `it is not a readable ZIP archive (${(e as Error).message.slice(0, 120)})`);
    }
  };
  for await (const chunk of chunks) {
    for (let at = 0; at < chunk.length && !stopReason; at += SLICE) {
      const slice = chunk.subarray(at, Math.min(chunk.length, at + SLICE));
      totalIn += slice.length;
      push(slice, false);
      if (totalOut > 64 * limits.ratioFloorBytes && totalOut / totalIn > limits.maxRatio) {
        stop(`the archive as a whole expands more than ${limits.maxRatio}:1`);
      }
      yield* ready.splice(0);
    }
    if (stopReason) break;
  }
  if (!stopReason) {
    push(new Uint8Array(0), true);
    const pending = current as Entry | null;
    if (pending && !pending.done) fail(pending, "the archive ends in the middle of it (truncated)");
  }
  yield* ready.splice(0);
  if (stopReason && central) {
    // A bomb's report names every entry it refused, not only those read before reading stopped.
    let listed = 0;
    for (const e of central) {
      if (reached.has(e.name) || e.name.endsWith("/") || isJunkPath(e.name)) continue;
      if (++listed > limits.maxEntries) break;
      reached.add(e.name);
      yield {
        name: displayName(e.name),
        error: `Archive entry refused: not read, because the archive was not read to the end (${stopReason})`,
      };
    }
  }
  if (stopReason) yield { name: displayName(archiveName), error: `Archive not read to the end: ${stopReason}` };
  else if (seen === 0)
    yield { name: displayName(archiveName), error: "The archive holds no files (or is not a ZIP archive)" };
}
