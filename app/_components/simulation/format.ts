// Number formats of the simulation pages; "n/a" where a figure has no data (NaN).
import type { Interval } from "@/lib/simulate/types";

const ok = (x: number) => Number.isFinite(x);
export const fixed = (x: number, d = 3) => (ok(x) ? x.toFixed(d) : "n/a");
export const signed = (x: number, d = 3) => (ok(x) ? `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(d)}` : "n/a");
export const pct = (x: number) => (ok(x) ? `${(100 * x).toFixed(1)}%` : "n/a");
export const minutes = (s: number) => (ok(s) ? `${(s / 60).toFixed(1)} min` : "n/a");
export const ci = (i: Interval, f: (x: number) => string) => `${f(i.estimate)} [${f(i.lo)}, ${f(i.hi)}]`;
