import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PassThrough, type Writable } from "node:stream";
import { AppError } from "../errors/app-error";
import { saveWorkingHashes } from "../images/mutations";
import { saveMaskSummaries } from "../masks/mutations";
import { key } from "../storage/keys";
import { store as defaultStore } from "../storage/store";
import type { ObjectStore } from "../storage/types";
import { type BuildInput, buildArchive } from "./build-archive";
import { completeExport, markExportRunning } from "./mutations";
import { exportItemPages, exportModels, exportProject, exportRunRow, selectionCounts } from "./queries";
import { canonicalOptions } from "./schema";
import { startedPages } from "./started-pages";
import type { ExportProgress, ExportResult } from "./types";

export interface RunExportOptions {
  /** Write the archive to this local file instead of object storage (the CLI). */
  toFile?: string;
  store?: ObjectStore;
  onProgress?: (p: ExportProgress) => void;
  signal?: AbortSignal;
  concurrency?: number;
}

export const archiveKey = (projectId: string, exportId: string, format: "tar" | "zip") =>
  key("projects", projectId, "exports", exportId, `dataset.${format}`);

export const archiveContentType = (format: "tar" | "zip") =>
  format === "zip" ? "application/zip" : "application/x-tar";

/**
 * Pipes the build into storage or a file; a failed build leaves neither a partial object nor a
 * partial file. A local store's object is written in place as its own writes are (a temporary
 * name, renamed when complete), so the archive goes to a file the builder writes directly.
 */
async function withOutput(
  toFile: string | undefined,
  store: ObjectStore,
  storageKey: string,
  contentType: string,
  build: (out: Writable | string) => Promise<ExportResult>,
) {
  const target = toFile ?? store.localPath?.(storageKey);
  if (target) {
    const partial = toFile ? `${toFile}.partial` : `${target}.tmp-${randomUUID()}`;
    if (!toFile) await mkdir(path.dirname(target), { recursive: true });
    try {
      const result = await build(partial);
      await rename(partial, target);
      return result;
    } catch (e) {
      await rm(partial, { force: true });
      throw e;
    }
  }
  const out = new PassThrough({ highWaterMark: 4 << 20 });
  const upload = store.putStream(storageKey, out, { contentType });
  try {
    const result = await build(out);
    await upload;
    return result;
  } catch (e) {
    out.destroy(e instanceof Error ? e : new Error(String(e)));
    await upload.catch(() => undefined);
    throw e;
  }
}

/**
 * Builds one requested export: re-checks the selection, streams the archive to storage (or a
 * file) and records the result. Running it again after a crash rebuilds the same bytes under
 * the same key; an export already built returns its recorded result.
 */
export async function runExport(exportId: string, o: RunExportOptions = {}): Promise<ExportResult> {
  const row = await exportRunRow(exportId);
  if (!row) throw new AppError("NOT_FOUND", "Export not found");
  if (row.status === "SUCCEEDED" && row.sha256 && row.datasetVersion) {
    return {
      datasetVersion: row.datasetVersion,
      sha256: row.sha256,
      sizeBytes: Number(row.sizeBytes),
      fileCount: row.fileCount ?? 0,
      imageCount: 0,
    };
  }
  if (row.status === "CANCELLED" || !(await markExportRunning(exportId)))
    throw new AppError("CONFLICT", "This export was cancelled");
  const options = canonicalOptions(row.options);
  // The item cursor opens beside the start-up queries; closed unread if the run is refused.
  const items = startedPages(exportItemPages(row.projectId, options));
  try {
    const [counts, project, models] = await Promise.all([
      selectionCounts(row.projectId, options),
      exportProject(row.projectId),
      options.includeModels ? exportModels(row.projectId) : Promise.resolve([]),
    ]);
    if (counts.unaccepted > 0 && !options.acceptedOnly) {
      throw new AppError(
        "CONFLICT",
        `${counts.unaccepted} chosen images have no accepted mask: the export was not built`,
      );
    }
    return await buildFrom(exportId, o, { options, counts, project, models, items: items.values });
  } finally {
    await items.close();
  }
}

async function buildFrom(
  exportId: string,
  o: RunExportOptions,
  input: Pick<BuildInput, "options" | "counts" | "project" | "models" | "items">,
): Promise<ExportResult> {
  const { options, project } = input;
  const store = o.store ?? defaultStore();
  const storageKey = archiveKey(project.id, exportId, options.format);
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), "tandem-export-"));
  try {
    const result = await withOutput(o.toFile, store, storageKey, archiveContentType(options.format), (out) =>
      buildArchive({
        ...input,
        store,
        out,
        tmpDir,
        onProgress: o.onProgress,
        signal: o.signal,
        concurrency: o.concurrency,
        backfill: (_kind, rows) => saveMaskSummaries(rows),
        saveImageHashes: saveWorkingHashes,
      }),
    );
    await completeExport(exportId, result, o.toFile ? null : storageKey);
    return result;
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}
