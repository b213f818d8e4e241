import type { Readable } from "node:stream";

/**
 * Bytes start..end (inclusive) of a stream. Used for resumed downloads where the store can only
 * stream whole objects: the skipped prefix is read and dropped, never held in memory.
 */
export async function* sliceStream(source: Readable, start: number, end: number): AsyncIterable<Uint8Array> {
  let pos = 0;
  try {
    for await (const raw of source) {
      const chunk = raw as Uint8Array;
      const from = Math.max(0, start - pos);
      const to = Math.min(chunk.length, end + 1 - pos);
      pos += chunk.length;
      if (to > from) yield chunk.subarray(from, to);
      if (pos > end) break;
    }
  } finally {
    source.destroy();
  }
}
