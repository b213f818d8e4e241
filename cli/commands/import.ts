import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fromCaller, parseArgs, progressBar, withDatabase } from "../context";
import type { ImportBatchView, ImportEntry } from "../../lib/imports/types";

export const summary =
  "import chest X-rays: --project <slug> <folder|zip|file> [--metadata file.csv] [--as email] [--report out.json]";

const USAGE =
  "usage: tandem import --project <slug> <folder|zip|file> [--metadata file.csv] [--as lead@example.org] [--concurrency 2] [--report report.json]";
const LIST_LIMIT = 40;

function table(title: string, rows: ImportEntry[], detail: (e: ImportEntry) => string): string[] {
  if (rows.length === 0) return [];
  const shown = rows.slice(0, LIST_LIMIT);
  const width = Math.min(60, Math.max(...shown.map((e) => e.name.length)));
  const lines = [`${title} (${rows.length}):`, ...shown.map((e) => `  ${e.name.padEnd(width)}  ${detail(e)}`)];
  if (rows.length > shown.length) lines.push(`  … and ${rows.length - shown.length} more (--report writes them all)`);
  return lines;
}

export function formatSummary(batch: ImportBatchView, slug: string, seconds: number): string {
  const files = batch.report?.files ?? [];
  const near = files.filter((f) => f.nearDuplicateOf);
  const flagged = files.filter((f) => f.flags?.length);
  const meta = batch.report?.metadata;
  const rate = seconds > 0 ? batch.imported / seconds : 0;
  return [
    `Import ${batch.id} into ${slug}: ${batch.status.toLowerCase()} in ${seconds.toFixed(1)} s (${rate.toFixed(1)} images/s stored)`,
    `  imported          ${batch.imported}`,
    `  already in        ${batch.duplicates}`,
    `  failed            ${batch.failed}`,
    `  near-duplicates   ${near.length}`,
    `  flagged           ${flagged.length}`,
    ...(meta
      ? [
          `Metadata: ${meta.rows} rows by "${meta.fileColumn}"` +
            (meta.droppedColumns.length ? `; dropped as identifiers: ${meta.droppedColumns.join(", ")}` : "") +
            (meta.unmatchedRows ? `; ${meta.unmatchedRows} rows matched no file` : ""),
          ...meta.warnings.map((w) => `  ${w}`),
        ]
      : []),
    ...table(
      "Failed",
      files.filter((f) => f.status === "failed"),
      (e) => e.reason ?? "",
    ),
    ...table(
      "Near-duplicates to review",
      near,
      (e) => `looks like ${e.nearDuplicateOf!.name} (distance ${e.nearDuplicateOf!.distance})`,
    ),
    ...table("Flagged", flagged, (e) => e.flags!.join(", ")),
    ...table(
      "Warnings",
      files.filter((f) => f.warnings?.length),
      (e) => e.warnings!.join("; "),
    ),
  ].join("\n");
}

/** tandem import --project <slug> <folder|zip|file> [--metadata file.csv] [--as email] [--concurrency n] [--report out.json] */
export async function run(argv: string[]) {
  const { flags, positional } = parseArgs(argv, {
    values: ["project", "metadata", "as", "concurrency", "report"],
    positionals: 1,
  });
  if (typeof flags.project !== "string" || positional.length !== 1) throw new Error(USAGE);
  const slug = flags.project;
  const source = fromCaller(positional[0]);
  if (!existsSync(source)) throw new Error(`${positional[0]}: no such file or folder`);
  const metadataPath = typeof flags.metadata === "string" ? fromCaller(flags.metadata) : undefined;
  const metadataCsv = metadataPath ? readFileSync(metadataPath, "utf8") : undefined;
  const concurrency = typeof flags.concurrency === "string" ? Number(flags.concurrency) : undefined;
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 16))
    throw new Error("--concurrency must be 1..16");

  process.env.LOG_LEVEL ??= "warn"; // the summary says what info lines would; keep the progress bar clean
  const { batch, seconds } = await withDatabase(async () => {
    const { env } = await import("../../lib/config/env");
    const { findUserByEmail } = await import("../../lib/auth/queries");
    const { getProjectForActor } = await import("../../lib/projects/queries");
    const { importFiles } = await import("../../lib/imports/mutations");
    const { estimateFileCount, filesFromPath } = await import("../../lib/imports/folder-source");
    // Whoever runs the CLI holds the database and the secrets: an administrator, audited with
    // no user id unless --as names the lead to record.
    let actor = { userId: "", isAdmin: true };
    if (typeof flags.as === "string") {
      const u = await findUserByEmail(flags.as);
      if (!u || u.disabled) throw new Error(`--as ${flags.as}: no such active user`);
      actor = { userId: u.id, isAdmin: u.isAdmin };
    }
    const { project } = await getProjectForActor(actor, slug, ["LEAD"]);
    const exclude = metadataPath ? [metadataPath] : [];
    const expected = await estimateFileCount(source, exclude);
    const bar = progressBar(`import ${slug}`);
    const t0 = performance.now();
    let last = 0;
    const result = await importFiles(
      actor,
      project.id,
      filesFromPath(source, { maxFileBytes: env().MAX_UPLOAD_BYTES, exclude }),
      { metadataCsv, concurrency },
      (p) => bar((last = p.done), Math.max(expected, p.done + 1)),
    );
    bar(last, last);
    return { batch: result as ImportBatchView, seconds: (performance.now() - t0) / 1000 };
  });
  console.log(formatSummary(batch, slug, seconds));
  if (typeof flags.report === "string") writeFileSync(fromCaller(flags.report), JSON.stringify(batch, null, 2));
}
