import { writeFileSync } from "node:fs";
import { parseArgs, withDatabase } from "../context";
import { folderImages, syntheticImages } from "../simulation/sources";
import { formatReport } from "../simulation/report";

export const summary = "run the whole protocol headless with simulated MDs and the real trainer";

const num = (v: string | true | undefined, d: number) => (typeof v === "string" ? Number(v) : d);

/** tandem simulate [--data <folder>] [--images 60] [--s1 20] [--folds 5] [--epochs 30] [--size 96] [--net-width 8] [--rounds 2] [--accept 0.85] [--json out.json] */
export async function run(argv: string[]) {
  const { flags } = parseArgs(argv);
  const log = (m: string) => process.stderr.write(`simulate: ${m}\n`);
  const images = typeof flags.data === "string"
    ? await folderImages(flags.data)
    : await syntheticImages({ count: num(flags.images, 60), covidFraction: num(flags.covid, 0.8), width: num(flags.width, 256), seed: num(flags.seed, 1) });
  const tiny = (arch: string) => ({ arch, encoder: "tiny" });
  const report = await withDatabase(async () => {
    const { runSimulation } = await import("../simulation/run-simulation");
    return runSimulation({
      images,
      s1Size: num(flags.s1, Math.min(20, images.length)),
      folds: num(flags.folds, 5),
      stage1Archs: ["unet", "unetpp", "dla"].map(tiny),
      stage2Networks: ["unet", "unetpp", "dla"].map(tiny),
      train: { size: num(flags.size, 96), epochs: num(flags.epochs, 30), batchSize: num(flags.batch, 8), lr: num(flags.lr, 3e-3), width: num(flags["net-width"], 8) },
      maxStage2Rounds: num(flags.rounds, 2),
      acceptDice: num(flags.accept, 0.85),
      seed: num(flags.seed, 1),
      log,
    });
  });
  console.log(formatReport(report));
  if (typeof flags.json === "string") writeFileSync(flags.json, JSON.stringify(report, null, 2));
  if (flags.json === true) console.log(JSON.stringify(report));
}
