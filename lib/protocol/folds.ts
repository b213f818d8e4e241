import { seededRandom, shuffleWith } from "./random";

export type FoldItem = { id: string; patient: string | null; label: string };

/**
 * k folds grouped by patient (a patient's images share one fold) and stratified by label:
 * patients are taken in a seeded order, largest first within each label group, each into the
 * fold that currently holds the fewest images of that label. Returns image id → fold (0..k-1).
 */
export function assignFolds(items: FoldItem[], k: number, seed: number): Map<string, number> {
  const byPatient = new Map<string, FoldItem[]>();
  for (const it of items) {
    const key = it.patient ?? `image:${it.id}`;
    byPatient.set(key, [...(byPatient.get(key) ?? []), it]);
  }
  const rand = seededRandom(`folds:${seed}`);
  const patients = shuffleWith([...byPatient.keys()].sort(), rand);
  const majority = (p: string) => {
    const counts = new Map<string, number>();
    for (const it of byPatient.get(p)!) counts.set(it.label, (counts.get(it.label) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0];
  };
  const order = patients
    .map((p, i) => ({ p, i, label: majority(p), size: byPatient.get(p)!.length }))
    .sort((a, b) => a.label.localeCompare(b.label) || b.size - a.size || a.i - b.i);
  const perLabel = new Map<string, number[]>();
  const total = new Array(k).fill(0);
  const out = new Map<string, number>();
  for (const { p, label, size } of order) {
    const counts = perLabel.get(label) ?? new Array(k).fill(0);
    perLabel.set(label, counts);
    let best = 0;
    for (let f = 1; f < k; f++) {
      if (counts[f] < counts[best] || (counts[f] === counts[best] && total[f] < total[best])) best = f;
    }
    counts[best] += size;
    total[best] += size;
    for (const it of byPatient.get(p)!) out.set(it.id, best);
  }
  return out;
}
