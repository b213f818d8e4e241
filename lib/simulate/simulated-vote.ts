// How an MD votes among blinded candidate masks: judges each by its Dice to the (unseen) truth plus personal
// noise, picks the best, or says "none acceptable" when even the best looks too poor.
import { dice } from "./mask-ops";
import { createRng, hashSeed } from "./prng";

export interface VoterProfile {
  seed: number;
  /** Standard deviation of the voter's error in judging Dice; default 0.04. */
  noise?: number;
  /** Below this perceived Dice the best candidate is rejected ("none acceptable"); default 0.5. */
  acceptThreshold?: number;
}

export interface VoteContext {
  /** Distinguishes images/rounds so one voter's noise differs between votes. */
  key?: string | number;
}

export interface VoteOutcome {
  /** Index of the chosen candidate, or null for "none acceptable". */
  choice: number | null;
  /** True Dice of each candidate to the truth. */
  dice: number[];
  /** Dice as the voter perceived it. */
  perceived: number[];
  /** Index of the candidate with the highest true Dice (ties: the first). */
  best: number;
}

function argmax(xs: number[]): number {
  let k = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[k]) k = i;
  return k;
}

/** n-way selection: pick the candidate that looks best, or none when it looks worse than the threshold. */
export function simulateVote(
  truth: Uint8Array,
  candidates: readonly Uint8Array[],
  voter: VoterProfile,
  ctx: VoteContext = {},
): VoteOutcome {
  if (candidates.length === 0) throw new Error("a vote needs at least one candidate");
  const rng = createRng(hashSeed("vote", voter.seed, ctx.key ?? "", candidates.length));
  const sd = voter.noise ?? 0.04;
  const threshold = voter.acceptThreshold ?? 0.5;
  const d = candidates.map((c) => dice(truth, c));
  const perceived = d.map((x) => rng.normal(x, sd));
  const pick = argmax(perceived);
  return { choice: perceived[pick] < threshold ? null : pick, dice: d, perceived, best: argmax(d) };
}

export interface Duel {
  a: number;
  b: number;
  winner: number;
}

export interface PairwiseOutcome extends VoteOutcome {
  duels: Duel[];
}

/**
 * Pairwise mode: candidates meet in order, the winner of each duel stays on; the survivor is accepted
 * unless it then looks worse than the threshold. `perceived` holds each candidate's last judged value.
 */
export function simulatePairwise(
  truth: Uint8Array,
  candidates: readonly Uint8Array[],
  voter: VoterProfile,
  ctx: VoteContext = {},
): PairwiseOutcome {
  if (candidates.length === 0) throw new Error("a vote needs at least one candidate");
  const rng = createRng(hashSeed("pairwise", voter.seed, ctx.key ?? "", candidates.length));
  const sd = voter.noise ?? 0.04;
  const threshold = voter.acceptThreshold ?? 0.5;
  const d = candidates.map((c) => dice(truth, c));
  const perceived = d.map(() => Number.NaN);
  const judge = (i: number) => (perceived[i] = rng.normal(d[i], sd));
  const duels: Duel[] = [];
  let champion = 0;
  for (let i = 1; i < candidates.length; i++) {
    const winner = judge(i) > judge(champion) ? i : champion;
    duels.push({ a: champion, b: i, winner });
    champion = winner;
  }
  const final = judge(champion);
  return { choice: final < threshold ? null : champion, dice: d, perceived, best: argmax(d), duels };
}
