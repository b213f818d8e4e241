// Small helpers shared by the SVG charts: linear scales and round tick values.

export type Scale = (v: number) => number;

export function linear(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** About `count` round tick values (1, 2 or 5 × 10^k apart) from at or below min to at or above max. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0];
  if (min === max) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  const first = Math.floor(min / step),
    last = Math.ceil(max / step - 1e-9);
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/** Up to `count` evenly spread items, always including the first and the last. */
export function spread<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  const out: T[] = [];
  for (let i = 0; i < count; i++) out.push(items[Math.round((i * (items.length - 1)) / (count - 1))]);
  return [...new Set(out)];
}

export const palette = ["#5aa9e6", "#4fb286", "#d9a441", "#b48ead", "#d9534f", "#88c0d0", "#a3be8c", "#8b94a3"];
export const colors = {
  accent: "#5aa9e6",
  ok: "#4fb286",
  warn: "#d9a441",
  bad: "#d9534f",
  muted: "#8b94a3",
  line: "#2a303a",
  text: "#d8dde5",
};

export const compact = (v: number) =>
  Math.abs(v) >= 1e6
    ? `${(v / 1e6).toFixed(1)}M`
    : Math.abs(v) >= 1e4
      ? `${Math.round(v / 1e3)}k`
      : Math.abs(v) >= 1e3
        ? `${(v / 1e3).toFixed(1)}k`
        : `${Math.round(v * 100) / 100}`;
