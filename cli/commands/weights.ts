import { fromCaller, parseArgs } from "../context";
import { importWeights, listWeights, weightsDir, type WeightFile } from "../../lib/ml/weights";

export const summary = "pretrained weight files for the trainer: list, import <file> (no downloads), verify by SHA-256";

const USAGE = `usage: tandem weights list
       tandem weights import <file> [--name <file name>] [--kind "CheXNet DenseNet-121"] [--sha256 <hex>]
       tandem weights verify

  Files live in $TANDEM_WEIGHTS_DIR, else $TORCH_HOME/hub/checkpoints (now ${weightsDir()}), where
  \`tandem train --weights imagenet\` finds torchvision's ImageNet files; use any other file with --weights <file>.`;

const line = (w: WeightFile) =>
  `  ${w.status.padEnd(10)} ${w.name}  ${(w.bytes / 1e6).toFixed(1)} MB  ${w.kind}  sha256 ${w.sha256}`;

export async function run(argv: string[]) {
  const { flags, positional } = parseArgs(argv, { values: ["name", "kind", "sha256"], positionals: 2 });
  const [action, file] = positional;
  if (flags.help || !action) throw new Error(USAGE);
  if (action === "list" || action === "verify") {
    const files = await listWeights();
    console.log(`${weightsDir()}: ${files.length} file${files.length === 1 ? "" : "s"}`);
    for (const w of files) console.log(line(w));
    const bad = files.filter((w) => w.status === "mismatch");
    if (action === "verify" && bad.length)
      throw new Error(`${bad.length} file(s) do not match their SHA-256: ${bad.map((w) => w.name).join(", ")}`);
    return;
  }
  if (action === "import") {
    if (!file) throw new Error(USAGE);
    const w = await importWeights(fromCaller(file), {
      name: typeof flags.name === "string" ? flags.name : undefined,
      kind: typeof flags.kind === "string" ? flags.kind : undefined,
      expectSha256: typeof flags.sha256 === "string" ? flags.sha256 : undefined,
    });
    console.log(`imported into ${weightsDir()}:\n${line(w)}`);
    return;
  }
  throw new Error(`unknown action "${action}"\n${USAGE}`);
}
