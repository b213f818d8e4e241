// Pure statistics for the lead dashboard: medians, rater agreement (Fleiss' κ), win rates.
import type { AgreementStats } from "./types";

/** The middle value (mean of the two middle values for an even count); null when empty. */
export function median(values: readonly number[]): number | null {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!xs.length) return null;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

/**
 * Additive summary of per-item category counts, so that the database can compute it with
 * GROUP BY and stages can be pooled by adding. Only items with two or more ratings count:
 * agreement is undefined for a single rater.
 */
export type AgreementAggregate = {
  items: number;
  ratings: number;
  /** Σ over items of P_i = (Σ_j n_ij² − n_i) / (n_i (n_i − 1)). */
  sumP: number;
  unanimous: number;
  categoryTotals: Record<string, number>;
};

export const emptyAggregate = (): AgreementAggregate => ({
  items: 0,
  ratings: 0,
  sumP: 0,
  unanimous: 0,
  categoryTotals: {},
});

/** Aggregates items given as category → number of raters who chose it. */
export function aggregateItems(items: readonly Record<string, number>[]): AgreementAggregate {
  const agg = emptyAggregate();
  for (const item of items) {
    const counts = Object.values(item).filter((n) => n > 0);
    const n = counts.reduce((s, x) => s + x, 0);
    if (n < 2) continue;
    agg.items += 1;
    agg.ratings += n;
    agg.sumP += (counts.reduce((s, x) => s + x * x, 0) - n) / (n * (n - 1));
    if (counts.length === 1) agg.unanimous += 1;
    for (const [cat, c] of Object.entries(item))
      if (c > 0) agg.categoryTotals[cat] = (agg.categoryTotals[cat] ?? 0) + c;
  }
  return agg;
}

export function mergeAggregates(...parts: AgreementAggregate[]): AgreementAggregate {
  const out = emptyAggregate();
  for (const p of parts) {
    out.items += p.items;
    out.ratings += p.ratings;
    out.sumP += p.sumP;
    out.unanimous += p.unanimous;
    for (const [cat, c] of Object.entries(p.categoryTotals))
      out.categoryTotals[cat] = (out.categoryTotals[cat] ?? 0) + c;
  }
  return out;
}

/**
 * Fleiss' κ = (P̄ − P̄e) / (1 − P̄e), with P̄ the mean of the per-item agreements P_i and
 * P̄e = Σ_j p_j², p_j the share of all ratings in category j. With the same number of raters
 * on every item this is Fleiss' formula exactly; with varying numbers each P_i uses its own
 * n_i and p_j pools all ratings (the usual generalisation). κ is null when it is undefined:
 * no items, or every rating in one category (P̄e = 1).
 */
export function kappaFromAggregate(agg: AgreementAggregate): AgreementStats {
  if (!agg.items)
    return { items: 0, ratings: 0, percentAgreement: null, unanimous: 0, expectedAgreement: null, kappa: null };
  const pBar = agg.sumP / agg.items;
  const pe = Object.values(agg.categoryTotals).reduce((s, c) => s + (c / agg.ratings) ** 2, 0);
  const kappa = pe >= 1 - 1e-12 ? null : (pBar - pe) / (1 - pe);
  return {
    items: agg.items,
    ratings: agg.ratings,
    percentAgreement: pBar,
    unanimous: agg.unanimous,
    expectedAgreement: pe,
    kappa,
  };
}

export function fleissKappa(items: readonly Record<string, number>[]): AgreementStats {
  return kappaFromAggregate(aggregateItems(items));
}

export type WinCount = { source: string; wins: number; appearances: number };

/** Wins over appearances per source, best first; sources that never appeared are dropped. */
export function winRates<T extends WinCount>(rows: readonly T[]): (T & { rate: number })[] {
  return rows
    .filter((r) => r.appearances > 0)
    .map((r) => ({ ...r, rate: r.wins / r.appearances }))
    .sort((a, b) => b.rate - a.rate || b.wins - a.wins || a.source.localeCompare(b.source));
}

export const share = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
