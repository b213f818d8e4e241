import type { Duel } from "./types";

/**
 * Winner-stays pairwise selection over positions 1..n, decided by the server from the log of
 * answered duels: first 1 vs 2, then the winner against the next position, until the last.
 */
export function duelState(n: number, log: Duel[]): { duel: { a: number; b: number } | null; winner: number | null } {
  if (n <= 1) return { duel: null, winner: n === 1 ? 1 : null };
  const a = log.length ? log[log.length - 1].winner : 1;
  const b = log.length + 2;
  if (b > n) return { duel: null, winner: a };
  return { duel: { a, b }, winner: null };
}

export function parseDuelLog(raw: unknown): Duel[] {
  return Array.isArray(raw) ? (raw as Duel[]) : [];
}
