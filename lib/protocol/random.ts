import { createHash, randomInt } from "node:crypto";
import { mulberry32 } from "../simulate/prng";

/** A deterministic PRNG seeded from a string: reproducible selections and folds. */
export function seededRandom(seed: string | number): () => number {
  return mulberry32(createHash("sha256").update(String(seed)).digest().readUInt32LE(0));
}

export function shuffleWith<T>(items: readonly T[], rand: () => number): T[] {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Unpredictable shuffle (crypto): the order a voter sees must not be guessable. */
export function secureShuffle<T>(items: readonly T[]): T[] {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
