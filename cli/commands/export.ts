import { fromCaller, parseArgs, withDatabase } from "../context";
import { ARCHIVE_LAYOUTS } from "../../lib/exports/archive-layout";

export const summary = "export accepted masks as a versioned dataset archive (tar or zip)";

const usage = `usage: tandem export --project <slug> --out <file.tar|file.zip> --as <email>
       [--accepted-only] [--include-models] [--format tar|zip] [--layout ${ARCHIVE_LAYOUTS.map((l) => l.id).join("|")}]
       [--labels COVID,CONTROL,UNKNOWN] [--sources a,b] [--stages STAGE_I,STAGE_II]
       [--accepted-after <ISO date>] [--test-fraction 0.2]

  --as (or --user)  an exporter or lead of the project (or TANDEM_USER); the export is recorded and audited as theirs
  --accepted-only   leave out chosen images that have no accepted mask instead of refusing
  --layout          folder and file names in the archive (default ${ARCHIVE_LAYOUTS[0].id}):
${ARCHIVE_LAYOUTS.map((l) => `                      ${l.id}: ${l.label}`).join("\n")}`;

const list = (v: string | true | undefined) =>
  typeof v === "string"
    ? v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;

function bar(done: number, total: number, bytes: number, startedMs: number): string {
  const width = 30;
  const share = total ? Math.min(1, done / total) : 0;
  const fill = Math.round(share * width);
  const mb = bytes / 1e6;
  const secs = Math.max(0.001, (Date.now() - startedMs) / 1000);
  return `\rexport [${"#".repeat(fill)}${".".repeat(width - fill)}] ${(share * 100).toFixed(0).padStart(3)}% ${done}/${total} · ${mb.toFixed(1)} MB · ${(mb / secs).toFixed(1)} MB/s`;
}

/**
 * `tandem export`: builds an export in this process (no worker needed) and writes it to --out,
 * with a progress bar on stderr. The export is requested, checked and recorded exactly as one
 * made in the app (roles, refusal while masks are missing, audit), but it is not uploaded.
 */
export async function exportCommand(argv: string[]): Promise<void> {
  const { flags } = parseArgs(argv, {
    values: [
      "project",
      "out",
      "as",
      "user",
      "format",
      "layout",
      "labels",
      "label",
      "sources",
      "source",
      "stages",
      "stage",
      "accepted-after",
      "test-fraction",
    ],
    booleans: ["accepted-only", "include-models"],
  });
  if (flags.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const slug = typeof flags.project === "string" ? flags.project : undefined;
  const out = typeof flags.out === "string" ? fromCaller(flags.out) : undefined;
  const who = flags.as ?? flags.user;
  const email = typeof who === "string" ? who : process.env.TANDEM_USER;
  if (!slug || !out || !email) throw new Error(`--project, --out and --as are required\n${usage}`);
  const format = typeof flags.format === "string" ? flags.format : out.endsWith(".zip") ? "zip" : "tar";
  const options = {
    format,
    layout: typeof flags.layout === "string" ? flags.layout : undefined,
    acceptedOnly: flags["accepted-only"] === true,
    includeModels: flags["include-models"] === true,
    labels: list(flags.labels ?? flags.label),
    sources: list(flags.sources ?? flags.source),
    stages: list(flags.stages ?? flags.stage),
    acceptedAfter: typeof flags["accepted-after"] === "string" ? flags["accepted-after"] : undefined,
    testFraction: typeof flags["test-fraction"] === "string" ? Number(flags["test-fraction"]) : undefined,
  };

  await withDatabase(async () => {
    const { findUserByEmail } = await import("../../lib/auth/queries");
    const { getProjectForActor } = await import("../../lib/projects/queries");
    const { requestExport, failExport } = await import("../../lib/exports/mutations");
    const { runExport } = await import("../../lib/exports/run-export");
    const user = await findUserByEmail(email);
    if (!user || user.disabled) throw new Error(`no active user ${email}`);
    const actor = { userId: user.id, isAdmin: user.isAdmin };
    const { project } = await getProjectForActor(actor, slug, ["EXPORTER", "LEAD"]);
    const { exportId, counts } = await requestExport(actor, project.id, options, { enqueue: false });
    process.stderr.write(
      `export ${exportId}: ${counts.chosen} images (${counts.blocked} blocked from export, ${counts.heldBack} held back for burned-in review${options.acceptedOnly ? `, ${counts.unaccepted} without an accepted mask` : ""} left out)\n`,
    );
    const started = Date.now();
    let last = 0;
    try {
      const r = await runExport(exportId, {
        toFile: out,
        onProgress: (p) => {
          const now = Date.now();
          if (now - last < 200 && p.phase !== "done") return;
          last = now;
          process.stderr.write(bar(p.done, p.total, p.bytes, started));
        },
      });
      process.stderr.write("\n");
      process.stdout.write(
        `${out}\n  dataset version ${r.datasetVersion}\n  sha256 ${r.sha256}\n  ${r.fileCount} files, ${r.sizeBytes} bytes\n`,
      );
    } catch (e) {
      process.stderr.write("\n");
      await failExport(exportId, e instanceof Error ? e.message : String(e)).catch(() => undefined);
      throw e;
    }
  });
}

/** The registry's entry point (cli/commands/index.ts: `import * as exportCommand from "./export"`). */
export const run = exportCommand;
