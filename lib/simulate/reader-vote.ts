// How a simulated MD votes: each candidate is judged by its similarity to the reader's own latent
// reading (Dice) plus perception noise, optionally with primacy bias and fatigue; "none acceptable"
// (Stage II) when nothing looks close enough. Works from the reading only.
import { dice } from "./mask-ops";
import { createRng, hashSeed } from "./prng";
import type { ReaderProfile } from "./reader-profile";
import type { Reading } from "./reading";
import { assertNotTruth } from "./truth-guard";

export interface VoteContext {
  /** Distinguishes votes so the noise differs between them (image, stage, and the how-many-th vote on it). */
  key: string;
  /** Stage II allows "none acceptable"; Stage I always picks one. */
  allowNone: boolean;
  /** Votes this reader already cast in the session (drives fatigue). */
  votesCast?: number;
}

export interface ReaderVote {
  /** Index of the chosen candidate, or null for "none acceptable". */
  choice: number | null;
  /** Perceived similarity of each candidate to the reading (last judgement, pairwise). */
  perceived: number[];
}

function maskHash(mask: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let p = 0; p < mask.length; p++) if (mask[p] !== 0) h = Math.imul(h ^ p, 0x01000193);
  return h >>> 0;
}

// Each candidate's perception noise is seeded by the vote and the candidate's content, so a
// shuffled order changes nothing but the (optional) position bias.
function judge(
  reading: Reading,
  candidates: readonly Uint8Array[],
  reader: ReaderProfile,
  ctx: VoteContext,
  label: string,
) {
  assertNotTruth(reading.mask, "vote");
  if (candidates.length === 0) throw new Error("a vote needs at least one candidate");
  const sd = reader.perceptionNoise * (1 + (reader.fatigue * (ctx.votesCast ?? 0)) / 100);
  const n = candidates.length;
  const similarity = candidates.map((c) => {
    assertNotTruth(c, "vote");
    if (c.length !== reading.mask.length) throw new Error("candidate and reading sizes differ");
    return dice(reading.mask, c);
  });
  const primacy = (i: number) => (n > 1 ? (reader.positionBias * (n - 1 - i)) / (n - 1) : 0);
  const looks = candidates.map(() => 0);
  const noise = (i: number) =>
    createRng(hashSeed(label, reader.seed, ctx.key, maskHash(candidates[i]), looks[i]++)).normal(0, sd);
  return { perceive: (i: number) => similarity[i] + primacy(i) + noise(i) };
}

/** n-way: the candidate that looks closest to the reading, or none when it is below the reader's bar. */
export function voteNWay(
  reading: Reading,
  candidates: readonly Uint8Array[],
  reader: ReaderProfile,
  ctx: VoteContext,
): ReaderVote {
  const { perceive } = judge(reading, candidates, reader, ctx, "vote");
  const perceived = candidates.map((_, i) => perceive(i));
  let pick = 0;
  for (let i = 1; i < perceived.length; i++) if (perceived[i] > perceived[pick]) pick = i;
  return { choice: ctx.allowNone && perceived[pick] < reader.acceptDice ? null : pick, perceived };
}

/** Pairwise: duels in shown order, the winner stays; the survivor is then checked against the bar. */
export function votePairwise(
  reading: Reading,
  candidates: readonly Uint8Array[],
  reader: ReaderProfile,
  ctx: VoteContext,
): ReaderVote & { duels: { a: number; b: number; winner: number }[] } {
  const { perceive } = judge(reading, candidates, reader, ctx, "pairwise");
  const perceived = candidates.map(() => Number.NaN);
  const look = (i: number) => (perceived[i] = perceive(i));
  const duels: { a: number; b: number; winner: number }[] = [];
  let champion = 0;
  for (let i = 1; i < candidates.length; i++) {
    const winner = look(i) > look(champion) ? i : champion;
    duels.push({ a: champion, b: i, winner });
    champion = winner;
  }
  const final = look(champion);
  return { choice: ctx.allowNone && final < reader.acceptDice ? null : champion, perceived, duels };
}

/** Whether the reader would accept `candidate` as the image's mask (a one-candidate Stage-II vote). */
export function wouldAccept(reading: Reading, candidate: Uint8Array, reader: ReaderProfile, key: string): boolean {
  return voteNWay(reading, [candidate], reader, { key: `accept:${key}`, allowNone: true }).choice === 0;
}
