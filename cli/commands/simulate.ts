import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fromCaller, parseArgs, withDatabase } from "../context";
import { folderImages, syntheticImages } from "../simulation/sources";
import { formatReport } from "../simulation/report";
import { formatSweep, parseModelLevels, runSweep, sweepSvg } from "../simulation/sweep";
import { DEFAULT_PANEL, scaleReaderErrors, withVotingHabits } from "../../lib/simulate/reader-profile";
import type { CandidateModels, SimulationOptions } from "../simulation/run-simulation";

/** Where a stored run can be seen in the app. */
const runUrl = (id: string) => `${(process.env.APP_URL ?? "").replace(/\/$/, "")}/simulations/${id}`;

export const summary = "run the whole protocol headless with simulated MDs (paired against drawing everything by hand)";

const num = (v: string | true | undefined, d: number) => {
  if (typeof v !== "string") return d;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`expected a number, got "${v}"`);
  return n;
};

function models(v: string | true | undefined): CandidateModels {
  if (v === undefined || v === "trained") return { kind: "trained" };
  const m = typeof v === "string" ? /^stub:([0-9.]+)$/.exec(v) : null;
  if (!m || !(Number(m[1]) >= 0 && Number(m[1]) <= 1))
    throw new Error(`--models must be "trained" or "stub:<quality 0–1>", got "${v}"`);
  return { kind: "stub", quality: Number(m[1]) };
}

const values = [
  "data",
  "limit",
  "images",
  "covid",
  "width",
  "seed",
  "s1",
  "folds",
  "epochs",
  "size",
  "batch",
  "lr",
  "net-width",
  "rounds",
  "models",
  "readers",
  "position-bias",
  "fatigue",
  "bootstrap",
  "report",
  "lead",
  "click-model",
  "sweep-readers",
  "sweep-models",
  "out",
] as const;

const USAGE = `usage: tandem simulate [--data <folder>] [--limit N] [--images 60] [--covid 0.8] [--width 256] [--seed 1]
       [--s1 20] [--folds 5] [--epochs 30] [--size 96] [--batch 8] [--lr 3e-3] [--net-width 8] [--rounds 2]
       [--models trained|stub:<quality 0–1>] [--readers <error factor>] [--position-bias 0.03] [--fatigue 0.2]
       [--pairwise] [--bootstrap 2000] [--report out.json] [--json] [--lead email[,email]]
       [--click-model <interactive trainer's out folder>]   (the Smart tool for the simulated MDs)
       [--sweep [--sweep-readers 0.5,1,2] [--sweep-models 0.3,0.6,0.8,0.95|epochs:2,epochs:30] [--out dir]]
  --report writes the report as JSON, --json prints it; paths are relative to the folder you run it from.`;

export async function run(argv: string[]) {
  const { flags } = parseArgs(argv, { values, booleans: ["pairwise", "sweep", "json"] });
  if (flags.help) return void process.stdout.write(`${USAGE}\n`);
  const log = (m: string) => process.stderr.write(`simulate: ${m}\n`);
  const images =
    typeof flags.data === "string"
      ? await folderImages(fromCaller(flags.data), typeof flags.limit === "string" ? num(flags.limit, 0) : undefined)
      : await syntheticImages({
          count: num(flags.images, 60),
          covidFraction: num(flags.covid, 0.8),
          width: num(flags.width, 256),
          seed: num(flags.seed, 1),
        });
  const tiny = (arch: string) => ({ arch, encoder: "tiny" });
  const habits = { positionBias: num(flags["position-bias"], 0), fatigue: num(flags.fatigue, 0) };
  const readers = withVotingHabits(scaleReaderErrors(DEFAULT_PANEL, num(flags.readers, 1)), habits);
  const base: SimulationOptions = {
    images,
    s1Size: num(flags.s1, Math.min(20, images.length)),
    folds: num(flags.folds, 5),
    stage1Archs: ["unet", "unetpp", "dla"].map(tiny),
    stage2Networks: ["unet", "unetpp", "dla"].map(tiny),
    train: {
      size: num(flags.size, 96),
      epochs: num(flags.epochs, 30),
      batchSize: num(flags.batch, 8),
      lr: num(flags.lr, 3e-3),
      width: num(flags["net-width"], 8),
    },
    maxStage2Rounds: num(flags.rounds, 2),
    seed: num(flags.seed, 1),
    log,
    readers,
    models: models(flags.models),
    selectionMode: flags.pairwise ? "PAIRWISE" : "NWAY",
    bootstrapReps: num(flags.bootstrap, 2000),
    leadEmails:
      typeof flags.lead === "string"
        ? flags.lead
            .split(",")
            .map((e) => e.trim())
            .filter(Boolean)
        : [],
  };
  if (flags["click-model"] !== undefined) {
    if (typeof flags["click-model"] !== "string")
      throw new Error("--click-model needs the folder the interactive trainer wrote (interactive.onnx + meta.json)");
    const { readTrainedModel } = await import("../../lib/assist/trained-model");
    const m = await readTrainedModel(fromCaller(flags["click-model"]));
    base.clickModel = { bytes: m.bytes, meta: m.meta, label: `${m.meta.version} (${m.sha256.slice(0, 12)})` };
  }
  await withDatabase(async () => {
    const { runSimulation, describeOptions } = await import("../simulation/run-simulation");
    const { findUserByEmail } = await import("../../lib/auth/queries");
    for (const email of base.leadEmails ?? [])
      if (!(await findUserByEmail(email)))
        throw new Error(`--lead: no user with the email "${email}" (create the user first)`);
    if (flags.sweep) {
      const rf = (typeof flags["sweep-readers"] === "string" ? flags["sweep-readers"] : "0.5,1,2")
        .split(",")
        .map((x) => num(x, NaN));
      const levels = parseModelLevels(
        typeof flags["sweep-models"] === "string" ? flags["sweep-models"] : "0.3,0.6,0.8,0.95",
      );
      const cells = await runSweep(
        { ...base, readers: withVotingHabits(DEFAULT_PANEL, habits) },
        rf,
        levels,
        runSimulation,
      );
      console.log(formatSweep(cells));
      const out = fromCaller(typeof flags.out === "string" ? flags.out : "simulation-sweep");
      mkdirSync(out, { recursive: true });
      writeFileSync(path.join(out, "sweep.json"), JSON.stringify(cells, null, 2));
      writeFileSync(path.join(out, "sweep.svg"), sweepSvg(cells));
      log(`wrote ${path.join(out, "sweep.json")} and ${path.join(out, "sweep.svg")}`);
      const { saveSweepRun } = await import("../../lib/simulate/mutations");
      const sweepId = await saveSweepRun({
        options: {
          ...describeOptions(base),
          models: "swept",
          readerErrorFactors: rf,
          modelLevels: levels.map((l) => l.label),
        },
        cells,
      });
      console.log(`Sweep report (admins, and leads of every cell's project): ${runUrl(sweepId)}`);
      return;
    }
    const report = await runSimulation(base);
    console.log(formatReport(report));
    console.log(`Simulation report (admins and the simulated project's leads): ${runUrl(report.runId)}`);
    if (typeof flags.report === "string") writeFileSync(fromCaller(flags.report), JSON.stringify(report, null, 2));
    if (flags.json) console.log(JSON.stringify(report));
  });
}
