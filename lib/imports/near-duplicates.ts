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

/**
 * For each candidate, the closest earlier image (lower UUIDv7 id = stored before it) whose
 * perceptual hash is within maxDistance bits; exact duplicates never reach here (they are not
 * stored twice), so these are re-encodings, crops, resizes or the same film scanned twice. A
 * linear scan over two 32-bit halves: ~n·k popcounts, a few seconds at 50k × 50k.
 */
export function findNearDuplicates(candidates: HashedImage[], pool: HashedImage[], maxDistance = NEAR_DUPLICATE_DISTANCE): NearMatch[] {
  const usable = pool.filter((p) => p.phash && valid.test(p.phash));
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
    let best = -1;
    let bestDistance = maxDistance + 1;
    for (let i = 0; i < usable.length; i++) {
      const d = popcount32(hi[i] ^ h) + popcount32(lo[i] ^ l);
      if (d < bestDistance && usable[i].id < c.id) {
        best = i;
        bestDistance = d;
      }
    }
    if (best >= 0) matches.push({ id: c.id, nearId: usable[best].id, distance: bestDistance });
  }
  return matches;
}
