// Tallying votes on one image. Votes for different candidates whose masks agree (Dice at or
// above the project's threshold) count together: voters agree on the mask, not the file.

export type Ballot = { candidateId: string | null };
export type Tally =
  | { outcome: "accept"; candidateId: string; support: number }
  | { outcome: "reject"; support: number }
  | { outcome: "tie"; options: (string | null)[] };

export function tallyVotes(
  votes: Ballot[],
  diceBetween: (a: string, b: string) => number,
  agreementDice: number,
): Tally {
  const agree = (a: string | null, b: string | null) =>
    a === b || (a !== null && b !== null && diceBetween(a, b) >= agreementDice);
  const choices = votes.map((v) => v.candidateId);
  const scored = [...new Set(choices)]
    .map((c) => ({ c, s: choices.filter((x) => agree(x, c)).length, exact: choices.filter((x) => x === c).length }))
    .sort((a, b) => b.s - a.s || b.exact - a.exact || String(a.c).localeCompare(String(b.c)));
  const top = scored[0];
  const conflicting = scored.filter((x) => x !== top && x.s === top.s && !agree(x.c, top.c));
  if (conflicting.length) return { outcome: "tie", options: [top.c, ...conflicting.map((x) => x.c)] };
  if (top.c === null) return { outcome: "reject", support: top.s };
  return { outcome: "accept", candidateId: top.c, support: top.s };
}
