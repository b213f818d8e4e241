import { z } from "zod";
import type { SelectionMode } from "../projects/enums";

/** What a voter's browser receives: positions and opaque URLs only, nothing about sources. */
export type BallotView = {
  ballotId: string;
  mode: SelectionMode;
  width: number;
  height: number;
  imageUrl: string;
  candidates: { position: number; url: string }[];
  /** "None acceptable" is a Stage-II choice (PROTOCOL.md); Stage I picks the best. */
  allowNone: boolean;
  /** Pairwise mode: the duel the server asks for now (positions), null once decided. */
  duel: { a: number; b: number } | null;
  /** Pairwise mode: the winner the server computed, once every duel is done. */
  duelWinner: number | null;
  /** How long the ballot holds its image without a heartbeat. */
  leaseMs: number;
};

export type Duel = { a: number; b: number; winner: number };

/** Why a voter has nothing to vote on (the vote page says so). */
export type NothingReason = "NO_ROUND" | "MODELS_TRAINING" | "QUALITY_GATE" | "WAITING_FOR_OTHERS" | "ROUND_COMPLETE";

/**
 * How long a shown ballot holds its image without a heartbeat. Short, so that an MD who
 * leaves (closed tab, lost network) strands nothing for long; the page renews it.
 */
export function ballotLeaseMs(): number {
  return z.coerce
    .number()
    .int()
    .min(1000)
    .max(3600_000)
    .default(90_000)
    .parse(process.env.BALLOT_LEASE_MS || undefined);
}
