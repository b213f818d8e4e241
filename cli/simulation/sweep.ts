// Sensitivity sweep: the whole paired simulation over a grid of reader quality (error factor)
// and model quality (stub quality, or a training budget in epochs), summarised as a table, a JSON
// file and an SVG plot.
import { DEFAULT_PANEL, scaleReaderErrors } from "../../lib/simulate/reader-profile";
import type { Interval } from "../../lib/simulate/bootstrap";
import type { CandidateModels, SimulationOptions } from "./run-simulation";
import type { SimulationReport, SweepCell } from "../../lib/simulate/types";
import { sweepThresholds } from "../../lib/simulate/sweep-verdicts";

export type ModelLevel = { label: string; x: number; models: CandidateModels; epochs?: number };

export type { SweepCell } from "../../lib/simulate/types";

/** "0.3,0.9" → stub qualities; "epochs:2,epochs:20" → trained models with that many epochs. */
export function parseModelLevels(spec: string): ModelLevel[] {
  return spec.split(",").map((s) => {
    const t = s.trim();
    const m = /^epochs:(\d+)$/.exec(t);
    if (m) return { label: `trained ${m[1]} ep`, x: Number(m[1]), models: { kind: "trained" }, epochs: Number(m[1]) };
    const q = Number(t);
    if (!(q >= 0 && q <= 1))
      throw new Error(`--sweep-models: "${t}" is neither a stub quality in [0, 1] nor epochs:<n>`);
    return { label: `stub q=${q}`, x: q, models: { kind: "stub", quality: q } };
  });
}

export async function runSweep(
  base: SimulationOptions,
  readerFactors: number[],
  levels: ModelLevel[],
  run: (o: SimulationOptions) => Promise<SimulationReport>,
): Promise<SweepCell[]> {
  const cells: SweepCell[] = [];
  for (const rf of readerFactors) {
    for (const lv of levels) {
      base.log(`sweep: readers ×${rf}, ${lv.label}`);
      const r = await run({
        ...base,
        readers: scaleReaderErrors(base.readers ?? DEFAULT_PANEL, rf),
        models: lv.models,
        train: lv.epochs ? { ...base.train, epochs: lv.epochs } : base.train,
      });
      cells.push({
        readerFactor: rf,
        model: lv.label,
        x: lv.x,
        timeRatio: r.mdSecondsPerMask.ratio,
        diceDiff: r.dice.diff,
        f1Diff: r.pixelF1.diff,
        riskyShare: r.riskyMachineShare.estimate,
        stage2Rejection: r.stage2Rejection.estimate,
        interReaderDice: r.interReaderDice,
        complete: r.complete,
        projectId: r.projectId,
      });
    }
  }
  return cells;
}

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "n/a");
const s3 = (x: number) => (Number.isFinite(x) ? (x >= 0 ? "+" : "") + x.toFixed(3) : "n/a");

/** Where the protocol starts to save time (time-ratio CI wholly below 1) and to cost quality (Dice-difference CI wholly below 0). */
export function sweepVerdicts(cells: SweepCell[]): string[] {
  return sweepThresholds(cells).map(
    (t) =>
      `readers ×${t.readerFactor}: saves MD time from ${t.savesFrom ? t.savesFrom.model : "— (nowhere in this grid)"}; ` +
      `costs quality (Dice CI below 0) ${t.costsUpTo ? `up to ${t.costsUpTo.model}` : "nowhere in this grid"}`,
  );
}

export function formatSweep(cells: SweepCell[]): string {
  const head = `readers  model            time ratio [95% CI]     ΔDice [95% CI]              ΔF1 [95% CI]                risky   S2 reject  inter-reader`;
  const rows = cells.map(
    (c) =>
      `×${String(c.readerFactor).padEnd(7)}${c.model.padEnd(17)}${`${f2(c.timeRatio.estimate)} [${f2(c.timeRatio.lo)}, ${f2(c.timeRatio.hi)}]`.padEnd(24)}` +
      `${`${s3(c.diceDiff.estimate)} [${s3(c.diceDiff.lo)}, ${s3(c.diceDiff.hi)}]`.padEnd(28)}${`${s3(c.f1Diff.estimate)} [${s3(c.f1Diff.lo)}, ${s3(c.f1Diff.hi)}]`.padEnd(28)}` +
      `${(Number.isFinite(c.riskyShare) ? (100 * c.riskyShare).toFixed(0) + "%" : "n/a").padEnd(8)}${(Number.isFinite(c.stage2Rejection) ? (100 * c.stage2Rejection).toFixed(0) + "%" : "n/a").padEnd(11)}${f2(c.interReaderDice)}${c.complete ? "" : "  (incomplete)"}`,
  );
  return [head, ...rows, "", ...sweepVerdicts(cells)].join("\n");
}

/** Two panels (MD-time ratio, Dice difference) against model quality, one line per reader level, CI bars. */
export function sweepSvg(cells: SweepCell[]): string {
  const W = 900,
    H = 380,
    pad = 50,
    pw = (W - 3 * pad) / 2,
    ph = H - 2 * pad;
  const xs = cells.map((c) => c.x);
  const x0 = Math.min(...xs),
    x1 = Math.max(...xs) === x0 ? x0 + 1 : Math.max(...xs);
  const colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];
  const levels = [...new Set(cells.map((c) => c.readerFactor))];
  const panel = (ox: number, title: string, get: (c: SweepCell) => Interval, ref: number) => {
    const vals = cells.flatMap((c) => [get(c).lo, get(c).hi, ref]).filter(Number.isFinite);
    const y0 = Math.min(...vals),
      y1 = Math.max(...vals) === y0 ? y0 + 1 : Math.max(...vals);
    const X = (x: number) => ox + ((x - x0) / (x1 - x0)) * pw;
    const Y = (y: number) => pad + ph - ((y - y0) / (y1 - y0)) * ph;
    const parts = [
      `<text x="${ox + pw / 2}" y="${pad - 18}" text-anchor="middle" font-size="14">${title}</text>`,
      `<rect x="${ox}" y="${pad}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`,
      `<line x1="${ox}" x2="${ox + pw}" y1="${Y(ref)}" y2="${Y(ref)}" stroke="#444" stroke-dasharray="4 3"/>`,
      `<text x="${ox - 6}" y="${Y(y1) + 4}" text-anchor="end" font-size="11">${y1.toFixed(2)}</text>`,
      `<text x="${ox - 6}" y="${Y(y0) + 4}" text-anchor="end" font-size="11">${y0.toFixed(2)}</text>`,
      `<text x="${ox}" y="${pad + ph + 16}" font-size="11">${x0}</text>`,
      `<text x="${ox + pw}" y="${pad + ph + 16}" text-anchor="end" font-size="11">${x1}</text>`,
      `<text x="${ox + pw / 2}" y="${pad + ph + 32}" text-anchor="middle" font-size="12">model quality (stub quality or epochs)</text>`,
    ];
    levels.forEach((rf, k) => {
      const row = cells.filter((c) => c.readerFactor === rf).sort((a, b) => a.x - b.x);
      const col = colors[k % colors.length];
      // Reader levels side by side at each x so their interval bars do not hide each other.
      const dx = (k - (levels.length - 1) / 2) * 7;
      parts.push(
        `<polyline fill="none" stroke="${col}" stroke-width="2" points="${row.map((c) => `${X(c.x) + dx},${Y(get(c).estimate)}`).join(" ")}"/>`,
      );
      for (const c of row)
        parts.push(
          `<line x1="${X(c.x) + dx}" x2="${X(c.x) + dx}" y1="${Y(get(c).lo)}" y2="${Y(get(c).hi)}" stroke="${col}"/><circle cx="${X(c.x) + dx}" cy="${Y(get(c).estimate)}" r="3" fill="${col}"/>`,
        );
      parts.push(
        `<text x="${ox + pw - 4}" y="${pad + 14 + 14 * k}" text-anchor="end" font-size="11" fill="${col}">readers ×${rf}</text>`,
      );
    });
    return parts.join("\n");
  };
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    panel(pad, "MD-seconds ratio, protocol / manual (below 1 saves time)", (c) => c.timeRatio, 1),
    panel(2 * pad + pw, "Dice difference, protocol − manual (below 0 costs quality)", (c) => c.diceDiff, 0),
    `</svg>`,
  ].join("\n");
}
