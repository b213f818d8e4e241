import { displayName, isJunkPath } from "./file-names";
import type { ArchiveLimits } from "./limits";
import type { ImportFile } from "./types";
import { centralDirectoryOf, type CentralEntry } from "./zip-central-directory";
import { isZip, zipEntries } from "./zip-entries";

export interface StreamSourceOptions {
  /** Cap on a single (non-archive) file. */
  maxFileBytes: number;
  archive?: Partial<ArchiveLimits>;
  /**
   * Reads a ZIP's central directory without streaming the archive (a file on disk). Without
   * it, an archive is read into memory first (uploads are capped at maxFileBytes) so that its
   * central directory is known before any entry is imported.
   */
  centralDirectory?: () => Promise<CentralEntry[] | undefined>;
}

/** Replays the chunks already read, then the rest of the iterator. */
async function* replay(head: Uint8Array[], rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* head;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

/**
 * One upload or one file on disk, as files to import: a ZIP archive (recognised by its first
 * bytes, not its name) is expanded entry by entry; anything else is one file, read up to the
 * byte cap and refused past it.
 */
export async function* filesFromStream(
  name: string,
  chunks: AsyncIterable<Uint8Array>,
  opts: StreamSourceOptions,
): AsyncGenerator<ImportFile> {
  const shown = displayName(name);
  if (isJunkPath(shown)) return;
  const it = chunks[Symbol.asyncIterator]();
  try {
    const head: Uint8Array[] = [];
    let size = 0;
    while (size < 4) {
      const next = await it.next();
      if (next.done) break;
      head.push(next.value);
      size += next.value.length;
    }
    const first = head.length === 1 ? head[0] : Buffer.concat(head);
    if (isZip(first)) {
      const limits = { maxEntryBytes: opts.maxFileBytes, ...opts.archive };
      if (opts.centralDirectory) {
        yield* zipEntries(replay([first], it), shown, limits, await opts.centralDirectory());
        return;
      }
      const parts = [first];
      for (;;) {
        if (size > opts.maxFileBytes) {
          yield { name: shown, error: `Archive is larger than the limit of ${opts.maxFileBytes} bytes` };
          return;
        }
        const next = await it.next();
        if (next.done) break;
        parts.push(next.value);
        size += next.value.length;
      }
      const whole = Buffer.concat(parts);
      yield* zipEntries(replay([whole], it), shown, limits, await centralDirectoryOf(whole));
      return;
    }
    for (;;) {
      if (size > opts.maxFileBytes) {
        yield { name: shown, error: `File is larger than the limit of ${opts.maxFileBytes} bytes` };
        return;
      }
      const next = await it.next();
      if (next.done) break;
      head.push(next.value);
      size += next.value.length;
    }
    if (size === 0) yield { name: shown, error: "Empty file (0 bytes)" };
    else yield { name: shown, bytes: Buffer.concat(head) };
  } finally {
    await it.return?.();
  }
}
