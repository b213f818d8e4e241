import { existsSync } from "node:fs";
import path from "node:path";
import { fromCaller, nearestOption, parseArgs, withDatabase } from "../context";
import { actorFor, pickSubcommand } from "../actor";

export const summary = "the Smart tool's click model: import a pre-trained one into a project, list the versions";

const usage = `usage: tandem click-model import <trainer out folder> --project <slug> --as <email> [--note <text>]
       tandem click-model list --project <slug> --as <email>

  import  the folder \`python3 -m tandem_trainer.interactive train\` (or \`npm run bench interactive\`)
          wrote: interactive.onnx and meta.json. It becomes the project's next click-model version,
          recorded as imported (trainer version, file hash, --note) and used by the Smart tool at once.
  --as    a lead of the project (or TANDEM_USER); the import is audited as theirs`;

const str = (v: string | true | undefined) => (typeof v === "string" ? v : undefined);

async function projectFor(flags: Record<string, string | true>) {
  const slug = str(flags.project);
  if (!slug) throw new Error(`--project <slug> is required\n${usage}`);
  const actor = await actorFor(flags, usage);
  const { getProjectForActor } = await import("../../lib/projects/queries");
  const { project } = await getProjectForActor(actor, slug, ["LEAD"]);
  return { actor, project };
}

async function importModel(argv: string[]) {
  const { flags, positional } = parseArgs(argv, { values: ["as", "user", "project", "note"], positionals: 1 });
  if (flags.help) return void process.stdout.write(`${usage}\n`);
  if (positional.length !== 1) throw new Error(`give one trainer out folder\n${usage}`);
  const dir = fromCaller(positional[0]);
  for (const f of ["interactive.onnx", "meta.json"])
    if (!existsSync(path.join(dir, f)))
      throw new Error(
        `${positional[0]}: no ${f} there (the interactive trainer's out folder has interactive.onnx and meta.json)`,
      );
  const { readTrainedModel } = await import("../../lib/assist/trained-model");
  const trained = await readTrainedModel(dir).catch((e: Error) => {
    throw new Error(`${positional[0]}/meta.json: ${e.message}`);
  });
  await withDatabase(async () => {
    const { actor, project } = await projectFor(flags);
    const { importInteractiveModel } = await import("../../lib/assist/mutations");
    const row = await importInteractiveModel(actor, project.id, { ...trained, note: str(flags.note) });
    console.log(
      `imported click model version ${row.version} into ${project.slug} (${(trained.bytes.length / 1e6).toFixed(1)} MB, model ${trained.meta.size}², trainer version ${trained.meta.version}); the Smart tool uses it from now on`,
    );
  });
}

async function list(argv: string[]) {
  const { flags } = parseArgs(argv, { values: ["as", "user", "project"] });
  if (flags.help) return void process.stdout.write(`${usage}\n`);
  await withDatabase(async () => {
    const { actor, project } = await projectFor(flags);
    const { smartToolSummary } = await import("../../lib/assist/queries");
    const s = await smartToolSummary(actor, project.id);
    if (!s.models.length) return console.log(`${project.slug}: no click model yet`);
    for (const m of s.models)
      console.log(
        `v${m.version}  ${m.origin.toLowerCase().padEnd(8)}  ${m.createdAt}  ${m.origin === "TRAINED" ? `trained on ${m.trainedOnMasks} accepted masks` : (m.originNote ?? "")}`,
      );
  });
}

export async function run(argv: string[]) {
  const [sub, ...rest] = argv;
  if (!sub || sub === "--help" || sub === "help") return void process.stdout.write(`${usage}\n`);
  await pickSubcommand(sub, { import: importModel, list }, "click-model", nearestOption)(rest);
}
