// Row ids are time-ordered UUIDs (v7): their first characters are a timestamp, identical for rows
// made in the same millisecond or so, so a label made from the head tells nothing apart. The
// tail is random: labels take the tail, as long as a list needs for every label to differ.

const MIN = 8;
const hex = (id: string) => id.replace(/-/g, "").toLowerCase();

/** The random tail of an id, `length` hex characters (default 8: 32 random bits). */
export function shortId(id: string, length = MIN): string {
  const h = hex(id);
  return h.slice(Math.max(0, h.length - length));
}

/** Tails for a list of ids, lengthened until no two differing ids share one. */
export function shortIds(ids: readonly string[], min = MIN): Map<string, string> {
  const distinct = [...new Set(ids)];
  const longest = Math.max(min, ...distinct.map((i) => hex(i).length));
  for (let n = min; ; n++) {
    const tails = distinct.map((i) => shortId(i, n));
    if (new Set(tails).size === distinct.length || n >= longest) return new Map(distinct.map((i, k) => [i, tails[k]]));
  }
}

/** "image 3fa9c2e1": how an image is named where its file name is not shown (blinding, PHI). */
export function imageLabel(id: string, tail = shortId(id)): string {
  return `image ${tail}`;
}
