import { readFileSync } from "node:fs";
import { fromCaller, nearestOption, parseArgs } from "../context";
import { pickSubcommand, withActor } from "../actor";

export const summary = "create and list projects, list and set their members (the web's role checks)";

const usage = `usage: tandem project create --as <email> --name <name> --slug <slug> [--description <text>] [--settings <protocol.json>]
       tandem project list --as <email>
       tandem project members <slug> --as <email> [--add <email> --roles MD,LEAD,EXPORTER]
       tandem project totals <slug> --as <email> [--rebuild]

  --as (or --user)  who runs the command (or TANDEM_USER): creating needs an administrator or a lead,
                    members needs a lead of the project; the action is audited as theirs
  --settings        a JSON file of protocol settings (folds, s1Size, stage1Archs, trainConfig, …)
  totals            checks the dashboard's running totals against a full recount of the votes and
                    truths (a lead; exits 1 when they differ); --rebuild replaces them by the recount`;

const str = (v: string | true | undefined) => (typeof v === "string" ? v : undefined);

async function create(argv: string[]) {
  const { flags } = parseArgs(argv, { values: ["as", "user", "name", "slug", "description", "settings"] });
  if (flags.help) return void process.stdout.write(`${usage}\n`);
  const name = str(flags.name);
  const slug = str(flags.slug);
  if (!name || !slug) throw new Error(`--name and --slug are required\n${usage}`);
  const file = str(flags.settings);
  let settings: unknown;
  if (file) {
    try {
      settings = JSON.parse(readFileSync(fromCaller(file), "utf8"));
    } catch (e) {
      throw new Error(`--settings ${file}: ${(e as Error).message}`);
    }
  }
  await withActor(flags, usage, async (actor) => {
    const { createProject } = await import("../../lib/projects/mutations");
    const { newProjectDefaults } = await import("../../lib/projects/queries");
    const { presetNetworks, presetTrainConfig } = await import("../../lib/ml/presets");
    // Training settings not given: the preset for the compute the workers have, as on the web form.
    const given = settings ?? {};
    const plain = typeof given === "object" && given !== null && !Array.isArray(given);
    const defaults = plain && !("trainConfig" in given) ? await newProjectDefaults() : undefined;
    const p = await createProject(actor, {
      name,
      slug,
      description: str(flags.description),
      settings: (defaults
        ? { ...presetNetworks(defaults.preset), ...given, trainConfig: presetTrainConfig(defaults.preset) }
        : given) as never,
    });
    console.log(`created project ${p.slug} (${p.name}), ${p.folds} folds; ${actor.email} is its lead`);
    if (defaults)
      console.log(`training preset ${defaults.preset}: ${defaults.why} (--settings with trainConfig to choose)`);
    console.log(`next: tandem import --project ${p.slug} --as ${actor.email} <folder or zip>`);
  });
}

async function list(argv: string[]) {
  const { flags } = parseArgs(argv, { values: ["as", "user"] });
  if (flags.help) return void process.stdout.write(`${usage}\n`);
  await withActor(flags, usage, async (actor) => {
    const { listProjectsFor } = await import("../../lib/projects/queries");
    const rows = await listProjectsFor(actor);
    if (!rows.length) return console.log("no projects");
    const w = Math.max(4, ...rows.map((r) => r.slug.length));
    console.log(`${"slug".padEnd(w)}  ${"images".padStart(7)}  ${"stage".padEnd(11)}  roles  name`);
    for (const r of rows) {
      const stage =
        r.currentStage === "STAGE_II" ? "Stage II" : r.currentStage === "STAGE_I" ? "Stage I" : "not started";
      console.log(
        `${r.slug.padEnd(w)}  ${String(r.imageCount).padStart(7)}  ${stage.padEnd(11)}  ${r.roles.join(",") || "-"}  ${r.name}`,
      );
    }
  });
}

async function members(argv: string[]) {
  const { flags, positional } = parseArgs(argv, { values: ["as", "user", "add", "roles"], positionals: 1 });
  if (flags.help) return void process.stdout.write(`${usage}\n`);
  const slug = positional[0];
  if (!slug || positional.length > 1) throw new Error(`give one project slug\n${usage}`);
  const add = str(flags.add);
  const roles = str(flags.roles)
    ?.split(",")
    .map((r) => r.trim().toUpperCase())
    .filter(Boolean);
  if (add && !roles?.length) throw new Error(`--add needs --roles (MD, LEAD, EXPORTER)\n${usage}`);
  if (!add && roles) throw new Error(`--roles goes with --add <email>\n${usage}`);
  await withActor(flags, usage, async (actor) => {
    const { getProjectForActor, listMembers } = await import("../../lib/projects/queries");
    const { addMember } = await import("../../lib/projects/mutations");
    const { project } = await getProjectForActor(actor, slug, ["LEAD"]);
    if (add) {
      await addMember(actor, project.id, { email: add, roles: roles as ("LEAD" | "MD" | "EXPORTER")[] });
      console.log(`${add.toLowerCase()} is now ${roles!.join(", ")} in ${project.slug}`);
    }
    const rows = await listMembers(actor, project.id);
    const w = Math.max(5, ...rows.map((m) => m.user.email.length));
    console.log(`${"email".padEnd(w)}  roles`);
    for (const m of rows) console.log(`${m.user.email.padEnd(w)}  ${m.roles.join(",")}`);
  });
}

async function totals(argv: string[]) {
  const { flags, positional } = parseArgs(argv, { values: ["as", "user"], booleans: ["rebuild"], positionals: 1 });
  if (flags.help) return void process.stdout.write(`${usage}\n`);
  const slug = positional[0];
  if (!slug || positional.length > 1) throw new Error(`give one project slug\n${usage}`);
  await withActor(flags, usage, async (actor) => {
    const { getProjectForActor } = await import("../../lib/projects/queries");
    const { checkDashboardTotals } = await import("../../lib/protocol/mutations");
    const { project } = await getProjectForActor(actor, slug, ["LEAD"]);
    const result = await checkDashboardTotals(actor, project.id, { rebuild: flags.rebuild === true });
    if (!result.differences.length)
      return console.log(`${project.slug}: the ${result.keys} dashboard totals match a full recount`);
    const shown = result.differences.slice(0, 20).map((d) => {
      const v = (r: typeof d.running) => (r ? `n=${r.n} m=${r.m} x=${r.x}` : "none");
      return `  round ${d.roundId} ${d.scope} ${d.key}: running ${v(d.running)}, recount ${v(d.recount)}`;
    });
    const more = result.differences.length > 20 ? [`  … and ${result.differences.length - 20} more`] : [];
    const head = `${project.slug}: ${result.differences.length} of the dashboard totals differ from a full recount`;
    if (result.rebuilt) return console.log([`${head}; replaced by the recount`, ...shown, ...more].join("\n"));
    throw new Error([`${head} (--rebuild replaces them)`, ...shown, ...more].join("\n"));
  });
}

const subs: Record<string, (argv: string[]) => Promise<void>> = { create, list, members, totals };

export async function run(argv: string[]): Promise<void> {
  if (argv[0] === "--help" || argv[0] === "help") return void process.stdout.write(`${usage}\n`);
  await pickSubcommand(argv[0], subs, "project", nearestOption)(argv.slice(1));
}
