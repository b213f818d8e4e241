import { loadMask } from "../../lib/masks/queries";
import { confusionCounts, dice } from "../../lib/masks/measures";
import { protocolOutcome } from "../../lib/protocol/queries";
import { simulateDrawing, type MdProfile } from "../../lib/simulate/simulated-md";
import { drawingSeconds, drawingWorkOf } from "../../lib/simulate/time-model";
import type { SimImage } from "./sources";

export type SimulationReport = {
  projectId: string;
  images: number;
  covidImages: number;
  rounds: number;
  complete: boolean;
  accepted: { meanDice: number; pixelF1: number; bySource: Record<string, number> };
  manualOnly: { meanDice: number; pixelF1: number };
  stage1: { votes: number; machineWins: number; machineWinShare: number; winsByArch: Record<string, number> };
  stage2: { votes: number; rejections: number; rejectionShare: number };
  mdSeconds: { drawing: number; voting: number; perAcceptedMask: number; manualOnlyPerMask: number; ratio: number };
  elapsedS: number;
};

function pooledF1(pairs: { pred: Uint8Array; truth: Uint8Array }[]) {
  let tp = 0, fp = 0, fn = 0;
  for (const p of pairs) {
    const c = confusionCounts(p.pred, p.truth);
    tp += c.tp; fp += c.fp; fn += c.fn;
  }
  return tp + fp + fn === 0 ? 1 : (2 * tp) / (2 * tp + fp + fn);
}

/**
 * Compares what the protocol accepted with the truth, and with a manual-only baseline: the
 * same simulated MDs drawing every COVID-19 image by hand (MD-seconds from the same time model).
 */
export async function buildReport(o: {
  projectId: string;
  truth: Map<string, SimImage>;
  seconds: { drawing: number; voting: number; drawings: number; votes: number };
  profiles: MdProfile[];
  elapsedS: number;
  rngSeed: number;
}): Promise<SimulationReport> {
  const out = await protocolOutcome(o.projectId);
  const covid = [...o.truth.entries()].filter(([, t]) => t.label === "COVID");
  const acceptedPairs: { pred: Uint8Array; truth: Uint8Array }[] = [];
  const bySource: Record<string, number> = {};
  let diceSum = 0;
  for (const [imageId, t] of covid) {
    const gt = out.accepted.find((a) => a.imageId === imageId);
    const pred = gt?.maskKey ? (await loadMask(gt.maskKey)).mask : new Uint8Array(t.truth.length);
    acceptedPairs.push({ pred, truth: t.truth });
    diceSum += dice(pred, t.truth);
    if (gt) bySource[gt.sourceKind] = (bySource[gt.sourceKind] ?? 0) + 1;
  }
  const manualPairs: { pred: Uint8Array; truth: Uint8Array }[] = [];
  let manualDice = 0, manualSeconds = 0;
  covid.forEach(([, t], i) => {
    const md = o.profiles[i % o.profiles.length];
    const pred = simulateDrawing(t.truth, t.width, t.height, md, { imageKey: `${t.name}:MANUAL` });
    manualPairs.push({ pred, truth: t.truth });
    manualDice += dice(pred, t.truth);
    manualSeconds += drawingSeconds(drawingWorkOf(t.truth, t.width, t.height), md.speed);
  });
  const s1 = out.votes.filter((v) => v.stage === "STAGE_I");
  const s1Chosen = s1.filter((v) => v.chosenKind !== null);
  const machineWins = s1Chosen.filter((v) => v.chosenKind === "MACHINE");
  const winsByArch: Record<string, number> = {};
  for (const v of machineWins) winsByArch[v.arch!] = (winsByArch[v.arch!] ?? 0) + 1;
  const s2 = out.votes.filter((v) => v.stage === "STAGE_II");
  const rejections = s2.filter((v) => v.chosenKind === null).length;
  const total = o.seconds.drawing + o.seconds.voting;
  const perAccepted = total / Math.max(1, covid.length);
  const manualPer = manualSeconds / Math.max(1, covid.length);
  return {
    projectId: o.projectId,
    images: o.truth.size,
    covidImages: covid.length,
    rounds: out.rounds,
    complete: out.complete,
    accepted: { meanDice: diceSum / Math.max(1, covid.length), pixelF1: pooledF1(acceptedPairs), bySource },
    manualOnly: { meanDice: manualDice / Math.max(1, covid.length), pixelF1: pooledF1(manualPairs) },
    stage1: { votes: s1.length, machineWins: machineWins.length, machineWinShare: s1Chosen.length ? machineWins.length / s1Chosen.length : 0, winsByArch },
    stage2: { votes: s2.length, rejections, rejectionShare: s2.length ? rejections / s2.length : 0 },
    mdSeconds: { drawing: o.seconds.drawing, voting: o.seconds.voting, perAcceptedMask: perAccepted, manualOnlyPerMask: manualPer, ratio: perAccepted / manualPer },
    elapsedS: o.elapsedS,
  };
}

export function formatReport(r: SimulationReport): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const f = (x: number) => x.toFixed(3);
  return [
    `Simulation: ${r.images} images (${r.covidImages} COVID-19), ${r.rounds} rounds, ${r.complete ? "complete" : "NOT complete"}, ${r.elapsedS.toFixed(0)} s`,
    ``,
    `                         accepted (protocol)   manual only`,
    `mean Dice vs truth       ${f(r.accepted.meanDice).padEnd(22)}${f(r.manualOnly.meanDice)}`,
    `pixel F1 vs truth        ${f(r.accepted.pixelF1).padEnd(22)}${f(r.manualOnly.pixelF1)}`,
    `MD-seconds per mask      ${r.mdSeconds.perAcceptedMask.toFixed(1).padEnd(22)}${r.mdSeconds.manualOnlyPerMask.toFixed(1)}   (ratio ${r.mdSeconds.ratio.toFixed(2)})`,
    ``,
    `Stage I: machine mask chosen over the manual one in ${r.stage1.machineWins} of ${r.stage1.votes} votes (${pct(r.stage1.machineWinShare)}; paper: 3 of 5)` +
      (Object.keys(r.stage1.winsByArch).length ? `; by architecture ${JSON.stringify(r.stage1.winsByArch)}` : ""),
    `Stage II: ${r.stage2.rejections} of ${r.stage2.votes} votes rejected every candidate (${pct(r.stage2.rejectionShare)}; paper: under 5%)`,
    `Accepted masks by source: ${JSON.stringify(r.accepted.bySource)}`,
    `MD time: ${(r.mdSeconds.drawing / 60).toFixed(1)} min drawing, ${(r.mdSeconds.voting / 60).toFixed(1)} min voting`,
  ].join("\n");
}
