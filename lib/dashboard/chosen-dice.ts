// How similar the masks that different voters chose for the same image are: the mean Dice over
// every pair of votes that picked a candidate (same mask or same bytes → 1 without loading).
// Masks are immutable, so a pair's Dice is cached for the life of the process.
import { dice } from "../masks/measures";
import type { DiceAgreement, StageName } from "./types";

export type ChosenMask = { mask: string; key: string; sha: string };
export type DiceItem = { stage: StageName; chosen: ChosenMask[] };
type LoadMask = (storageKey: string) => Promise<Uint8Array>;

const MAX_CACHED_PAIRS = 200_000;
const pairCache = new Map<string, number>();

function cachePair(k: string, v: number) {
  if (pairCache.size >= MAX_CACHED_PAIRS) pairCache.clear();
  pairCache.set(k, v);
}

const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

async function mapLimit<T>(items: T[], limit: number, fn: (t: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/** Per item: mean Dice over all pairs of chosen masks; per stage and overall: mean over items. */
export async function meanChosenDice(items: DiceItem[], load: LoadMask): Promise<DiceAgreement[]> {
  const needed = new Map<string, string>();
  for (const it of items) {
    for (let i = 0; i < it.chosen.length; i++) {
      for (let j = i + 1; j < it.chosen.length; j++) {
        const a = it.chosen[i],
          b = it.chosen[j];
        if (a.mask === b.mask || a.sha === b.sha || pairCache.has(pairKey(a.mask, b.mask))) continue;
        needed.set(a.mask, a.key);
        needed.set(b.mask, b.key);
      }
    }
  }
  const pixels = new Map<string, Uint8Array>();
  await mapLimit([...needed], 8, async ([mask, key]) => {
    pixels.set(mask, await load(key));
  });

  const perStage = new Map<StageName | "ALL", { images: number; pairs: number; sum: number }>();
  const add = (stage: StageName | "ALL", pairs: number, mean: number) => {
    const s = perStage.get(stage) ?? { images: 0, pairs: 0, sum: 0 };
    s.images += 1;
    s.pairs += pairs;
    s.sum += mean;
    perStage.set(stage, s);
  };
  for (const it of items) {
    let sum = 0,
      pairs = 0;
    for (let i = 0; i < it.chosen.length; i++) {
      for (let j = i + 1; j < it.chosen.length; j++) {
        const a = it.chosen[i],
          b = it.chosen[j];
        let d: number;
        if (a.mask === b.mask || a.sha === b.sha) d = 1;
        else {
          const k = pairKey(a.mask, b.mask);
          const hit = pairCache.get(k);
          if (hit !== undefined) d = hit;
          else {
            d = dice(pixels.get(a.mask)!, pixels.get(b.mask)!);
            cachePair(k, d);
          }
        }
        sum += d;
        pairs += 1;
      }
    }
    if (!pairs) continue;
    add(it.stage, pairs, sum / pairs);
    add("ALL", pairs, sum / pairs);
  }
  const order: (StageName | "ALL")[] = ["STAGE_I", "STAGE_II", "ALL"];
  return order
    .filter((s) => perStage.has(s))
    .map((stage) => {
      const s = perStage.get(stage)!;
      return { stage, images: s.images, pairs: s.pairs, meanDice: s.images ? s.sum / s.images : null };
    });
}
