import { spawn } from "node:child_process";
import path from "node:path";

export const summary = "k-fold cross-validation of one network on a folder of images/ and masks/ (the PyTorch trainer)";

const allowed = new Set(["data", "arch", "encoder", "folds", "epochs", "size", "batch-size", "lr", "width", "weights", "freeze-encoder", "augment", "device", "seed", "out", "json"]);

/**
 * tandem train --data <folder> --arch unet --encoder densenet121 --folds 5 [--epochs N --size 224
 * --weights file --device cuda --out dir]: prints the paper's Table 2/3 metrics per fold and
 * averaged with 95% CIs, and writes one ONNX model per fold.
 */
export async function run(argv: string[]) {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--batch") { args.push("--batch-size"); continue; }
    if (a.startsWith("--") && !allowed.has(a.slice(2).split("=")[0])) throw new Error(`unknown option ${a}`);
    // Paths are given relative to where the command was typed; the CLI runs from the repository root.
    const prev = argv[i - 1];
    args.push((prev === "--data" || prev === "--out" || prev === "--weights") && !path.isAbsolute(a) && a !== "imagenet" ? path.resolve(process.env.INIT_CWD ?? process.cwd(), a) : a);
  }
  if (!args.includes("--data")) throw new Error("--data <folder with images/ and masks/> is required");
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.env.PYTHON ?? "/usr/bin/python3", ["-m", "tandem_trainer", "cv", ...args], { cwd: path.resolve("workers/trainer"), stdio: "inherit" });
    child.on("error", reject);
    child.on("close", (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(`the trainer exited with ${code}`);
}
