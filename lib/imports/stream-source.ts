import { displayName, isJunkPath } from "./file-names";
import type { ArchiveLimits } from "./limits";
import type { ImportFile } from "./types";
import { isZip, zipEntries } from "./zip-entries";

export interface StreamSourceOptions {
  /** Cap on a single (non-archive) file. */
  maxFileBytes: number;
  archive?: Partial<ArchiveLimits>;
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
export async function* filesFromStream(name: string, chunks: AsyncIterable<Uint8Array>, opts: StreamSourceOptions): AsyncGenerator<ImportFile> {
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
      yield* zipEntries(replay([first], it), shown, { maxEntryBytes: opts.maxFileBytes, ...opts.archive });
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
