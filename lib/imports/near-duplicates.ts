import { NEAR_DUPLICATE_DISTANCE } from "../images/perceptual-hash";

export interface HashedImage {
  id: string;
  phash: string | null;
}

export interface NearMatch {
  id: string;
  nearId: string;
  distance: number;
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

const valid = /^[0-9a-f]{16}$/i;

/** Index of the first id ≥ id in a sorted list. */
function lowerBound(sorted: HashedImage[], id: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid].id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * For each candidate, the closest earlier image (lower UUIDv7 id = stored before it) whose
 * perceptual hash is within maxDistance bits; exact duplicates never reach here (they are not
 * stored twice), so these are re-encodings, crops, resizes or the same film scanned twice. A
 * linear scan of the earlier images over two 32-bit halves, ~10 ns per pair: seconds for a
 * thousand new images, tens of seconds for 50k new against 50k.
 */
export function findNearDuplicates(
  candidates: HashedImage[],
  pool: HashedImage[],
  maxDistance = NEAR_DUPLICATE_DISTANCE,
): NearMatch[] {
  const usable = pool
    .filter((p) => p.phash && valid.test(p.phash))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const hi = new Uint32Array(usable.length);
  const lo = new Uint32Array(usable.length);
  usable.forEach((p, i) => {
    hi[i] = parseInt(p.phash!.slice(0, 8), 16) >>> 0;
    lo[i] = parseInt(p.phash!.slice(8), 16) >>> 0;
  });
  const matches: NearMatch[] = [];
  for (const c of candidates) {
    if (!c.phash || !valid.test(c.phash)) continue;
    const h = parseInt(c.phash.slice(0, 8), 16) >>> 0;
    const l = parseInt(c.phash.slice(8), 16) >>> 0;
    const end = lowerBound(usable, c.id);
    let best = -1;
    let bestDistance = maxDistance + 1;
    for (let i = 0; i < end; i++) {
      const d = popcount32(hi[i] ^ h) + popcount32(lo[i] ^ l);
      if (d < bestDistance) {
        best = i;
        bestDistance = d;
        if (d === 0) break;
      }
    }
    if (best >= 0) matches.push({ id: c.id, nearId: usable[best].id, distance: bestDistance });
  }
  return matches;
}
