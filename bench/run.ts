// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) and prints one table.
import { readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { loadNote, RUNS } from "./repeat";

type Row = { name: string; value: number; unit: string; note?: string };

const only = process.argv.slice(2);
const files = readdirSync("bench")
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => !only.length || only.some((o) => f.includes(o)))
  .sort();
const rows: (Row & { bench: string })[] = [];
const loadAtStart = loadNote();
process.stderr.write(`${loadAtStart}; ${RUNS} runs per measure (BENCH_RUNS)\n`);
for (const f of files) {
  const bench = f.replace(/\.bench\.ts$/, "");
  process.stderr.write(`bench ${bench}…\n`);
  const t0 = Date.now();
  try {
    const mod = (await import(pathToFileURL(path.resolve("bench", f)).href)) as { run(): Promise<Row[]> };
    for (const r of await mod.run()) rows.push({ bench, ...r });
  } catch (e) {
    rows.push({ bench, name: "FAILED", value: NaN, unit: "", note: (e as Error).message.slice(0, 120) });
  }
  process.stderr.write(`bench ${bench} took ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
const fmt = (v: number) =>
  Number.isNaN(v) ? "—" : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
const cols = [
  ["bench", (r: (typeof rows)[number]) => r.bench],
  ["measure", (r: (typeof rows)[number]) => r.name],
  ["value", (r: (typeof rows)[number]) => fmt(r.value)],
  ["unit", (r: (typeof rows)[number]) => r.unit],
  ["note", (r: (typeof rows)[number]) => r.note ?? ""],
] as const;
const widths = cols.map(([h, f]) => Math.max(h.length, ...rows.map((r) => f(r).length)));
const line = (cells: string[]) => "| " + cells.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
console.log(line(cols.map(([h]) => h)));
console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
for (const r of rows) console.log(line(cols.map(([, f]) => f(r))));
console.log(
  `\nAt start: ${loadAtStart}. At end: ${loadNote()}. Values are medians of ${RUNS} runs where the note gives a range; a load above the CPU count means the figures were measured on a busy machine (ratios against baselines of the same run still hold).`,
);
process.exit(rows.some((r) => r.name === "FAILED") ? 1 : 0);
