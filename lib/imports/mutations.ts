import "server-only";
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { uuidv7 } from "../db/uuid";
import { AppError } from "../errors/app-error";
import { recordAudit } from "../audit/mutations";
import { requireProjectRole } from "../auth/authorize";
import type { Actor } from "../auth/types";
import { env } from "../config/env";
import { NEAR_DUPLICATE_DISTANCE } from "../images/perceptual-hash";
import { logger } from "../log/logger";
import { ingestSettings } from "../projects/queries";
import { BatchSink, countOf } from "./batch-sink";
import { forEachConcurrent } from "./concurrency";
import { importOne, type ImportContext } from "./import-one";
import { DEFAULT_CONCURRENCY } from "./limits";
import { metadataFor, parseMetadataCsv } from "./metadata-csv";
import { deleteBatchMetadata, loadBatchMetadata, saveBatchMetadata } from "./metadata-store";
import { findNearDuplicates } from "./near-duplicates";
import { batchImageHashes, findBatch, getImportBatch, imageNames, projectImageHashes } from "./queries";
import { createImportSchema, type CreateImportInput } from "./schema";
import type {
  ImportCounts,
  ImportEntry,
  ImportFile,
  ImportOptions,
  ImportProgress,
  ImportReport,
  NearDuplicate,
} from "./types";

const json = (v: unknown) => v as Prisma.InputJsonValue;
/** The command line acts as an administrator with no user row: audited with no actor id. */
const actorId = (actor: Actor) => actor.userId || null;

function settings(opts: ImportOptions) {
  const e = env();
  return {
    pseudonymKey: opts.pseudonymKey ?? e.PSEUDONYM_KEY,
    maxFileBytes: opts.maxFileBytes ?? e.MAX_UPLOAD_BYTES,
    maxPixels: opts.maxPixels ?? e.MAX_IMAGE_PIXELS,
    concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY,
  };
}

/** Starts an import (leads only). A metadata CSV is parsed now: raw patient ids never reach storage. */
export async function createImportBatch(
  actor: Actor,
  projectId: string,
  input: CreateImportInput = {},
  opts: ImportOptions = {},
) {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const { metadataCsv } = createImportSchema.parse(input);
  const parsed = metadataCsv ? parseMetadataCsv(metadataCsv, settings(opts).pseudonymKey) : undefined;
  const id = uuidv7();
  const report: ImportReport = {
    version: 1,
    files: [],
    nearDuplicateDistance: NEAR_DUPLICATE_DISTANCE,
    ...(parsed ? { metadata: parsed.summary } : {}),
  };
  if (parsed) await saveBatchMetadata(projectId, id, parsed);
  try {
    await db().$transaction(async (tx) => {
      await tx.importBatch.create({
        data: { id, projectId, createdById: actorId(actor), status: "QUEUED", report: json(report) },
      });
      await recordAudit(
        {
          action: "import.create",
          objectType: "ImportBatch",
          objectId: id,
          projectId,
          actorId: actorId(actor),
          after: { metadataRows: parsed?.summary.rows ?? 0, droppedColumns: parsed?.summary.droppedColumns ?? [] },
        },
        tx,
      );
    });
  } catch (e) {
    if (parsed) await deleteBatchMetadata(projectId, id);
    throw e;
  }
  return { id, status: "QUEUED" as const, metadata: parsed?.summary };
}

/** Appends report lines and bumps the counters in one statement (concurrent uploads are safe). */
async function appendToBatch(batchId: string, entries: ImportEntry[], d: ImportCounts): Promise<void> {
  if (entries.length === 0) {
    await db().$executeRaw`
      UPDATE "ImportBatch" SET total = total + ${d.total}, imported = imported + ${d.imported},
        duplicates = duplicates + ${d.duplicates}, failed = failed + ${d.failed}, "updatedAt" = now()
      WHERE id = ${batchId}::uuid`;
    return;
  }
  await db().$executeRaw`
    UPDATE "ImportBatch" SET total = total + ${d.total}, imported = imported + ${d.imported},
      duplicates = duplicates + ${d.duplicates}, failed = failed + ${d.failed}, "updatedAt" = now(),
      report = jsonb_set(COALESCE(report, '{"version":1}'::jsonb), '{files}',
        COALESCE(report->'files', '[]'::jsonb) || ${JSON.stringify(entries)}::jsonb)
    WHERE id = ${batchId}::uuid`;
}

/**
 * Imports files into an open import: each is decoded (at most `concurrency` at once),
 * de-identified, deduplicated and stored, or refused with its reason; the batch row follows
 * along. Returns this call's lines (a retried upload returns its earlier line).
 */
export async function importIntoBatch(
  actor: Actor,
  projectId: string,
  batchId: string,
  files: AsyncIterable<ImportFile>,
  opts: ImportOptions = {},
  onProgress?: (p: ImportProgress) => void,
): Promise<{ entries: ImportEntry[]; counts: ImportCounts }> {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const batch = await findBatch(projectId, batchId);
  if (batch.status !== "QUEUED" && batch.status !== "RUNNING")
    throw new AppError("CONFLICT", "This import is finished; start a new one");
  if (batch.status === "QUEUED")
    await db().importBatch.updateMany({ where: { id: batchId, status: "QUEUED" }, data: { status: "RUNNING" } });
  const s = settings(opts);
  const ingest = await ingestSettings(projectId);
  const ctx: ImportContext = {
    projectId,
    batchId,
    pseudonymKey: s.pseudonymKey,
    maxFileBytes: s.maxFileBytes,
    maxPixels: s.maxPixels,
    deidOptions: ingest.deid,
    modalityPolicy: ingest.modalities,
    metadata: batch.report.metadata ? await loadBatchMetadata(projectId, batchId) : undefined,
    byName: new Map((batch.report.files ?? []).map((f) => [f.name, Promise.resolve(f)])),
    bySha: new Map(),
  };
  const sink = new BatchSink((entries, d) => appendToBatch(batchId, entries, d));
  const entries: ImportEntry[] = [];
  let seen = 0;
  let done = 0;
  try {
    await forEachConcurrent(files, s.concurrency, async (file) => {
      const at = seen++;
      const { entry, replay } = await importOne(ctx, file);
      entries[at] = entry; // lines come back in input order, whatever order they finish in
      if (!replay) sink.add(entry);
      onProgress?.({ done: ++done, ...sink.totals });
    });
  } finally {
    await sink.close();
  }
  return { entries: entries.filter(Boolean), counts: { ...sink.totals } };
}

async function nearDuplicatesOf(projectId: string, batchId: string): Promise<Map<string, NearDuplicate>> {
  const [mine, pool] = await Promise.all([batchImageHashes(batchId), projectImageHashes(projectId)]);
  const matches = findNearDuplicates(mine, pool);
  const names = await imageNames(matches.map((m) => m.nearId));
  return new Map(
    matches.map((m) => [m.id, { imageId: m.nearId, name: names.get(m.nearId) ?? "", distance: m.distance }]),
  );
}

function recount(files: ImportEntry[]): ImportCounts {
  const c = { total: 0, imported: 0, duplicates: 0, failed: 0 };
  for (const f of files) {
    const x = countOf(f);
    c.total += x.total;
    c.imported += x.imported;
    c.duplicates += x.duplicates;
    c.failed += x.failed;
  }
  return c;
}

/**
 * Closes an import: finds near-duplicates of what it stored among the project's earlier
 * images, counts metadata rows no file used, fixes the counters from the lines, audits.
 * Finishing twice returns the same result.
 */
export async function finishImportBatch(actor: Actor, projectId: string, batchId: string) {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const batch = await findBatch(projectId, batchId);
  if (batch.status !== "QUEUED" && batch.status !== "RUNNING") return getImportBatch(actor, projectId, batchId);
  const near = await nearDuplicatesOf(projectId, batchId);
  const meta = batch.report.metadata ? await loadBatchMetadata(projectId, batchId) : undefined;
  const finished = await db().$transaction(async (tx) => {
    // Under the row lock no upload can append between this read and the write below.
    const rows = await tx.$queryRaw<{ status: string; report: ImportReport | null }[]>`
      SELECT status, report FROM "ImportBatch" WHERE id = ${batchId}::uuid FOR UPDATE`;
    if (!rows[0] || (rows[0].status !== "QUEUED" && rows[0].status !== "RUNNING")) return false;
    const report: ImportReport = rows[0].report ?? { version: 1, files: [] };
    const files = (report.files ?? []).map((f) => {
      const n = f.status === "imported" && f.imageId ? near.get(f.imageId) : undefined;
      return n ? { ...f, nearDuplicateOf: n } : f;
    });
    if (meta && report.metadata) {
      const used = new Set<number>();
      for (const f of files) {
        const m = metadataFor(meta, f.name);
        if (m) used.add(m.at);
      }
      report.metadata.unmatchedRows = meta.rows.length - used.size;
    }
    const counts = recount(files);
    await tx.importBatch.update({
      where: { id: batchId },
      data: { ...counts, status: "SUCCEEDED", finishedAt: new Date(), report: json({ ...report, files }) },
    });
    const flagged = files.filter((f) => f.flags?.length).length;
    await recordAudit(
      {
        action: "import.finish",
        objectType: "ImportBatch",
        objectId: batchId,
        projectId,
        actorId: actorId(actor),
        after: { ...counts, nearDuplicates: near.size, flagged },
      },
      tx,
    );
    logger.info("import.finished", { batchId, ...counts, nearDuplicates: near.size, flagged });
    return true;
  });
  if (!finished) logger.info("import.finish_skipped", { batchId });
  return getImportBatch(actor, projectId, batchId);
}

/** Marks an import that could not go on (the database or the source failed) as FAILED. */
async function failImportBatch(batchId: string, why: string): Promise<void> {
  await db().$executeRaw`
      UPDATE "ImportBatch" SET status = 'FAILED', "finishedAt" = now(), "updatedAt" = now(),
        report = jsonb_set(COALESCE(report, '{"version":1}'::jsonb), '{error}', to_jsonb(${why}::text))
      WHERE id = ${batchId}::uuid AND status IN ('QUEUED', 'RUNNING')`.catch(() => undefined);
}

/**
 * Fails imports left RUNNING with no activity for `staleMs` (the uploading browser went away,
 * or the server died mid-upload): the files already reported stay imported, the batch says
 * why it stopped, and each is audited. A second run finds nothing to do.
 */
export async function failStaleImportBatches(
  staleMs: number,
): Promise<{ id: string; projectId: string; imported: number; failed: number }[]> {
  const why = `abandoned: no upload for ${Math.round(staleMs / 60_000)} minutes; start a new import for the files not listed`;
  return db().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string; projectId: string; imported: number; failed: number }[]>`
      UPDATE "ImportBatch" SET status = 'FAILED', "finishedAt" = now(), "updatedAt" = now(),
        report = jsonb_set(COALESCE(report, '{"version":1}'::jsonb), '{error}', to_jsonb(${why}::text))
      WHERE status = 'RUNNING' AND "updatedAt" < now() - (${staleMs} * interval '1 millisecond')
      RETURNING id, "projectId", imported, failed`;
    for (const r of rows) {
      await recordAudit(
        {
          action: "import.abandoned",
          objectType: "ImportBatch",
          objectId: r.id,
          projectId: r.projectId,
          actorId: null,
          after: { imported: r.imported, failed: r.failed, reason: why },
        },
        tx,
      );
      logger.warn("import.abandoned", { batchId: r.id, projectId: r.projectId, imported: r.imported });
    }
    return rows;
  });
}

/**
 * A whole import in one call (command line, benchmark): create, import every file, finish.
 * Files whose bytes are already in the project are skipped before decoding, so running the
 * same import again only adds what is new.
 */
export async function importFiles(
  actor: Actor,
  projectId: string,
  files: AsyncIterable<ImportFile>,
  opts: ImportOptions & { metadataCsv?: string } = {},
  onProgress?: (p: ImportProgress) => void,
) {
  const batch = await createImportBatch(actor, projectId, { metadataCsv: opts.metadataCsv }, opts);
  try {
    await importIntoBatch(actor, projectId, batch.id, files, opts, onProgress);
  } catch (e) {
    await failImportBatch(batch.id, e instanceof AppError ? e.message : "The import stopped on an internal error");
    throw e;
  }
  return finishImportBatch(actor, projectId, batch.id);
}
