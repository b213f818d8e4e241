import { readFileSync } from "node:fs";
import os from "node:os";

// Benchmarks repeat each measurement and report the median with the spread (min–max), and say
// how loaded the machine was: on a shared machine one run says little, and a ratio only means
// something against a baseline measured in the same run under the same load.

export const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3));

/** "median of n (min–max)" for a note. */
export function spread(xs: number[]): string {
  if (xs.length < 2) return `1 run`;
  return `median of ${xs.length} runs, range ${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
}

/** The 1/5/15-minute load averages and the core count, e.g. "load 1.9/2.1/2.4 on 2 CPUs". */
export function loadNote(): string {
  return `load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join("/")} on ${os.availableParallelism()} CPUs`;
}

/** CPU seconds (user + system) of a process plus its waited-for children, from /proc (Linux); NaN elsewhere. */
export function processCpuSeconds(pid: number = process.pid): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return NaN;
  }
}
