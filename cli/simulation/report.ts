// The only part of the simulation that meets the truth: compares the protocol arm's accepted
// masks and the paired manual arm's drawings with it, image by image, with bootstrap intervals.
import { loadMask } from "../../lib/masks/queries";
import { confusionCounts, dice } from "../../lib/masks/measures";
import { protocolOutcome } from "../../lib/protocol/queries";
import { bootstrap, meanOver, type Interval } from "../../lib/simulate/bootstrap";
import { dice as maskDice } from "../../lib/simulate/mask-ops";
import { drawFromReading } from "../../lib/simulate/reader-draw";
import type { ReaderProfile } from "../../lib/simulate/reader-profile";
import { wouldAccept } from "../../lib/simulate/reader-vote";
import { unsealTruth } from "../../lib/simulate/truth";
import type { CandidateModels, Ledger } from "./run-simulation";
import type { ManualArm } from "./manual-arm";
import type { Readings } from "./readings";
import type { SimImage } from "./sources";

export type { Paired, SimulationReport } from "../../lib/simulate/types";
import type { Paired, SimulationReport } from "../../lib/simulate/types";

type Counts = { tp: number; fp: number; fn: number };

function pooledF1(c: Counts[], idx: Int32Array) {
  let tp = 0,
    fp = 0,
    fn = 0;
  for (const i of idx) {
    tp += c[i].tp;
    fp += c[i].fp;
    fn += c[i].fn;
  }
  return tp + fp + fn === 0 ? 1 : (2 * tp) / (2 * tp + fp + fn);
}

function sumOver(v: number[], idx: Int32Array) {
  let s = 0;
  for (const i of idx) s += v[i];
  return s;
}

export async function buildReport(o: {
  projectId: string;
  images: Map<string, SimImage>;
  readings: Readings;
  readers: readonly ReaderProfile[];
  ledger: Ledger;
  manual: ManualArm;
  elapsedS: number;
  seed: number;
  bootstrapReps?: number;
  models: CandidateModels;
}): Promise<SimulationReport> {
  const out = await protocolOutcome(o.projectId);
  const accepted = new Map(out.accepted.map((a) => [a.imageId, a]));
  const covid = [...o.images.entries()].filter(([, t]) => t.label === "COVID");
  const pD: number[] = [],
    mD: number[] = [],
    pC: Counts[] = [],
    mC: Counts[] = [],
    pS: number[] = [],
    mS: number[] = [];
  const risky: number[] = [],
    s1: number[] = [],
    s2: number[] = [];
  const bySource: Record<string, number> = {};
  let machineAccepted = 0,
    riskyCount = 0;
  for (const [id, img] of covid) {
    const truth = unsealTruth(img.truth);
    const a = accepted.get(id);
    const pred = a?.maskKey ? (await loadMask(a.maskKey)).mask : new Uint8Array(truth.length);
    if (a) bySource[a.sourceKind] = (bySource[a.sourceKind] ?? 0) + 1;
    const man = o.manual.masks.get(id)!;
    pD.push(dice(pred, truth));
    mD.push(dice(man, truth));
    pC.push(confusionCounts(pred, truth));
    mC.push(confusionCounts(man, truth));
    pS.push(o.ledger.seconds.get(id) ?? 0);
    mS.push(o.manual.seconds.get(id)!);
    if (a?.sourceKind === "MACHINE") {
      machineAccepted++;
      const voters = o.ledger.voters.get(id) ?? new Set<number>();
      const others = o.readers.map((r, i) => ({ r, i })).filter(({ i }) => !voters.has(i));
      const rejections = others.filter(({ r }) => !wouldAccept(o.readings.of(r, id), pred, r, `review:${id}`)).length;
      const isRisky = rejections > others.length / 2;
      riskyCount += isRisky ? 1 : 0;
      risky.push(isRisky ? 1 : 0);
    } else risky.push(Number.NaN);
    const v1 = out.votes.filter((v) => v.imageId === id && v.stage === "STAGE_I" && v.chosenKind !== null);
    s1.push(v1.length ? v1.filter((v) => v.chosenKind === "MACHINE").length / v1.length : Number.NaN);
    const v2 = out.votes.filter((v) => v.imageId === id && v.stage === "STAGE_II");
    s2.push(v2.length ? v2.filter((v) => v.chosenKind === null).length / v2.length : Number.NaN);
  }
  const bs = (f: (idx: Int32Array) => number) =>
    bootstrap(covid.length, f, { reps: o.bootstrapReps ?? 2000, seed: o.seed });
  const paired = (p: number[], m: number[]): Paired => ({
    protocol: meanOver(p, Int32Array.from(p.keys())),
    manual: meanOver(m, Int32Array.from(m.keys())),
    diff: bs((idx) => meanOver(p, idx) - meanOver(m, idx)),
  });
  const calib = covid.slice(0, 100).map(([id]) => {
    const drawn = o.readers.map((r) => drawFromReading(o.readings.of(r, id), r, "MANUAL"));
    let s = 0,
      n = 0;
    for (let a = 0; a < drawn.length; a++)
      for (let b = a + 1; b < drawn.length; b++, n++) s += maskDice(drawn[a], drawn[b]);
    return n ? s / n : Number.NaN;
  });
  const s1Votes = out.votes.filter((v) => v.stage === "STAGE_I").length;
  const s2Votes = out.votes.filter((v) => v.stage === "STAGE_II").length;
  return {
    projectId: o.projectId,
    models: o.models.kind === "stub" ? `stub models, quality ${o.models.quality}` : "trained models",
    images: o.images.size,
    covidImages: covid.length,
    readers: o.readers.length,
    rounds: out.rounds,
    complete: out.complete,
    interReaderDice: meanOver(calib, Int32Array.from(calib.keys())),
    dice: paired(pD, mD),
    pixelF1: {
      protocol: pooledF1(pC, Int32Array.from(pC.keys())),
      manual: pooledF1(mC, Int32Array.from(mC.keys())),
      diff: bs((idx) => pooledF1(pC, idx) - pooledF1(mC, idx)),
    },
    mdSecondsPerMask: { ...paired(pS, mS), ratio: bs((idx) => sumOver(pS, idx) / sumOver(mS, idx)) },
    riskyMachineShare: { ...bs((idx) => meanOver(risky, idx)), machineAccepted, risky: riskyCount },
    stage1MachinePreferred: { ...bs((idx) => meanOver(s1, idx)), votes: s1Votes },
    stage2Rejection: { ...bs((idx) => meanOver(s2, idx)), votes: s2Votes },
    acceptedBySource: bySource,
    mdSeconds: { ...o.ledger.byKind, manualArm: mS.reduce((a, b) => a + b, 0) },
    smartTool: o.ledger.smart.enabled
      ? {
          drawings: o.ledger.smart.drawings,
          clicks: o.ledger.smart.clicks,
          seconds: o.ledger.smart.seconds,
          handSeconds: o.ledger.smart.handSeconds,
        }
      : undefined,
    redraws: o.ledger.redraws,
    votesOnOwnDrawing: o.ledger.votesOnOwnDrawing,
    elapsedS: o.elapsedS,
  };
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "n/a");
const ci = (i: Interval, f = f3) => `${f(i.estimate)} [${f(i.lo)}, ${f(i.hi)}]`;
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : "n/a");

export function formatReport(r: SimulationReport): string {
  const s1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");
  const sign = (x: number) => (Number.isFinite(x) ? (x >= 0 ? `+${x.toFixed(3)}` : x.toFixed(3)) : "n/a");
  const signS = (x: number) => (Number.isFinite(x) ? (x >= 0 ? `+${x.toFixed(1)}` : x.toFixed(1)) : "n/a");
  return [
    `Simulation: ${r.images} images (${r.covidImages} COVID-19), ${r.readers} simulated readers, ${r.models}, ${r.rounds} rounds, ${r.complete ? "complete" : "NOT complete"}, ${r.elapsedS.toFixed(0)} s`,
    `Simulated inter-reader Dice on these images: ${f3(r.interReaderDice)} (calibration target 0.60–0.80, see lib/simulate/README.md)`,
    ``,
    `Paired comparison (same readers, images and seeds); differences protocol − manual with image-level bootstrap 95% CIs:`,
    `                            protocol   manual only   difference [95% CI]`,
    `mean Dice vs truth          ${f3(r.dice.protocol).padEnd(11)}${f3(r.dice.manual).padEnd(14)}${sign(r.dice.diff.estimate)} [${sign(r.dice.diff.lo)}, ${sign(r.dice.diff.hi)}]`,
    `pixel F1 vs truth           ${f3(r.pixelF1.protocol).padEnd(11)}${f3(r.pixelF1.manual).padEnd(14)}${sign(r.pixelF1.diff.estimate)} [${sign(r.pixelF1.diff.lo)}, ${sign(r.pixelF1.diff.hi)}]`,
    `MD-seconds per mask         ${s1(r.mdSecondsPerMask.protocol).padEnd(11)}${s1(r.mdSecondsPerMask.manual).padEnd(14)}${signS(r.mdSecondsPerMask.diff.estimate)} [${signS(r.mdSecondsPerMask.diff.lo)}, ${signS(r.mdSecondsPerMask.diff.hi)}]; ratio ${ci(r.mdSecondsPerMask.ratio, (x) => x.toFixed(2))}`,
    ``,
    `Accepted machine masks a majority of the other readers would reject: ${r.riskyMachineShare.risky} of ${r.riskyMachineShare.machineAccepted} (${pct(r.riskyMachineShare.estimate)} [${pct(r.riskyMachineShare.lo)}, ${pct(r.riskyMachineShare.hi)}])`,
    `Votes cast by the MD who drew the image's hand-made candidate: ${r.votesOnOwnDrawing} of ${r.stage1MachinePreferred.votes + r.stage2Rejection.votes}`,
    `Stage I: machine mask preferred in ${pct(r.stage1MachinePreferred.estimate)} [${pct(r.stage1MachinePreferred.lo)}, ${pct(r.stage1MachinePreferred.hi)}] of images (${r.stage1MachinePreferred.votes} votes; paper: 3 of 5)`,
    `Stage II: every candidate rejected in ${pct(r.stage2Rejection.estimate)} [${pct(r.stage2Rejection.lo)}, ${pct(r.stage2Rejection.hi)}] of images (${r.stage2Rejection.votes} votes; paper: under 5%)`,
    `Accepted masks by source: ${JSON.stringify(r.acceptedBySource)}; redraws from a candidate ${r.redraws.fromCandidate}, from scratch ${r.redraws.fromScratch}`,
    `MD time (protocol): ${(r.mdSeconds.draw / 60).toFixed(1)} min drawing, ${(r.mdSeconds.edit / 60).toFixed(1)} min editing, ${(r.mdSeconds.vote / 60).toFixed(1)} min voting, ${(r.mdSeconds.confirm / 60).toFixed(1)} min confirming${r.mdSeconds.smart ? `, ${(r.mdSeconds.smart / 60).toFixed(1)} min with the Smart tool` : ""}; manual arm ${(r.mdSeconds.manualArm / 60).toFixed(1)} min`,
    ...(r.smartTool
      ? [
          `Smart tool: ${r.smartTool.drawings} drawings with ${r.smartTool.clicks} clicks took ${(r.smartTool.seconds / 60).toFixed(1)} MD-min; the same tasks by hand ${(r.smartTool.handSeconds / 60).toFixed(1)} MD-min (${r.smartTool.handSeconds > 0 ? (r.smartTool.seconds / r.smartTool.handSeconds).toFixed(2) : "n/a"}×)`,
        ]
      : []),
  ].join("\n");
}
