import { seededRandom, shuffleWith } from "./random";

export type SubsetCandidate = { id: string; source: string | null };

/**
 * Picks `size` images stratified by source: each source contributes in proportion to its
 * share (largest remainders), the pick inside a source is a seeded shuffle. Same input and
 * seed → same subset, whatever order the candidates come in.
 */
export function stratifiedSubset(candidates: SubsetCandidate[], size: number, seed: number): string[] {
  const n = Math.min(size, candidates.length);
  const groups = new Map<string, string[]>();
  for (const c of [...candidates].sort((a, b) => a.id.localeCompare(b.id))) {
    const k = c.source ?? "";
    groups.set(k, [...(groups.get(k) ?? []), c.id]);
  }
  const keys = [...groups.keys()].sort();
  const exact = keys.map((k) => (groups.get(k)!.length * n) / candidates.length);
  const quota = exact.map(Math.floor);
  let left = n - quota.reduce((s, q) => s + q, 0);
  const order = keys.map((_, i) => i).sort((a, b) => exact[b] - quota[b] - (exact[a] - quota[a]) || a - b);
  for (const i of order) {
    if (left === 0) break;
    if (quota[i] < groups.get(keys[i])!.length) {
      quota[i]++;
      left--;
    }
  }
  const picked: string[] = [];
  keys.forEach((k, i) => picked.push(...shuffleWith(groups.get(k)!, seededRandom(`${seed}:${k}`)).slice(0, quota[i])));
  return picked.sort();
}
