import { fromCaller, parseArgs } from "../context";
import { archs, classifierArchs, encoders } from "../../lib/ml/networks";
import { classifierPresetNames, trainingPresetNames } from "../../lib/ml/presets";
import { runTrainerAttached } from "../../workers/trainer-process";

export const summary =
  "train with the PyTorch trainer: k-fold cross-validation of a folder, or --test <folder> to train on one folder and test on another";

const USAGE = `usage: tandem train --data <folder with images/ and masks/> [--preset ${trainingPresetNames.join("|")}]
       [--arch ${archs.join("|")}] [--encoder ${encoders.join("|")}] [--folds 5]
       [--test <folder>] [--steps N | --epochs N] [--size 224] [--batch-size 32] [--lr 1e-4] [--width 16]
       [--weights imagenet|<file>] [--freeze-encoder] [--augment balance|all|none] [--select last|best|best_dice]
       [--target-sensitivity 0.95] [--device auto|cpu|cuda] [--seed 0] [--out dir] [--json]
       tandem train --task classify --data <folder> [--arch ${classifierArchs.join("|")}]
       [--preset ${classifierPresetNames.join("|")}] [--folds 5] [--test <folder>: scored by every fold's model]
  A classifier (COVID-19 vs control, labels from the masks) reports Deep-COVID's threshold table.`;

const values = [
  "task",
  "data",
  "test",
  "preset",
  "arch",
  "encoder",
  "folds",
  "epochs",
  "steps",
  "size",
  "batch-size",
  "batch",
  "lr",
  "width",
  "weights",
  "augment",
  "select",
  "target-sensitivity",
  "device",
  "seed",
  "out",
] as const;
const pathOptions = new Set(["data", "test", "out"]);

/** The trainer's arguments for `cv` (or `fit` with --test), paths made absolute from the caller's folder. */
export function trainerArgs(argv: string[]): string[] {
  const { flags } = parseArgs(argv, { values, booleans: ["freeze-encoder", "json"] });
  if (flags.help) throw new Error(USAGE);
  if (typeof flags.data !== "string") throw new Error(`--data <folder with images/ and masks/> is required\n${USAGE}`);
  if (flags.task !== undefined && flags.task !== "segment" && flags.task !== "classify")
    throw new Error(`--task must be segment or classify, got "${flags.task}"`);
  const classify = flags.task === "classify";
  const presets = classify ? classifierPresetNames : trainingPresetNames;
  if (typeof flags.preset === "string" && !presets.includes(flags.preset)) {
    throw new Error(
      `--preset must be one of ${presets.join(", ")}${classify ? " with --task classify" : ""}, got "${flags.preset}"`,
    );
  }
  if (classify && flags.encoder !== undefined)
    throw new Error("--encoder is for segmentation; a classifier is one network: choose it with --arch");
  if (!classify && flags.test !== undefined && flags.folds !== undefined)
    throw new Error("--folds is for cross-validation; leave it out with --test");
  const args = [flags.test !== undefined && !classify ? "fit" : "cv"];
  for (const [name, value] of Object.entries(flags)) {
    if (name === "help" || (name === "task" && value === "segment")) continue;
    const option = name === "batch" ? "batch-size" : name;
    if (value === true) args.push(`--${option}`);
    else if (pathOptions.has(name) || (name === "weights" && value !== "imagenet"))
      args.push(`--${option}`, fromCaller(value));
    else args.push(`--${option}`, value);
  }
  return args;
}

/**
 * tandem train: prints the paper's Table 2/3 metrics (eq. 13 radius and image-level bootstrap
 * intervals), per-image Dice, the detection rules calibrated on out-of-fold predictions, and
 * writes one ONNX model per fold (or one model with --test).
 */
export async function run(argv: string[]) {
  const args = trainerArgs(argv);
  const code = await runTrainerAttached(args);
  if (code !== 0) throw new Error(`the trainer exited with ${code}`);
}
