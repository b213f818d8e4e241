/** What a voter's browser receives: positions and opaque URLs only, nothing about sources. */
export type BallotView = {
  ballotId: string;
  mode: "NWAY" | "PAIRWISE";
  width: number;
  height: number;
  imageUrl: string;
  candidates: { position: number; url: string }[];
};

/** How long an unanswered ballot holds a voting slot before another voter may take it. */
export const BALLOT_HOLD_MS = 30 * 60_000;
