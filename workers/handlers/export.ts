import type { JobHandler } from "../../lib/jobs/types";
import { PermanentJobError } from "../../lib/jobs/types";
import { jobDefinitions } from "../../lib/jobs/definitions";
import { isAppError } from "../../lib/errors/app-error";
import { runExport } from "../../lib/exports/run-export";
import { failExport } from "../../lib/exports/mutations";
import type { ExportProgress } from "../../lib/exports/types";

const REPORT_EVERY_MS = 1000;

/** Builds one dataset export into object storage, reporting progress on the job row. */
export const exportHandler: JobHandler<{ exportId: string }> = async ({ payload, attempt, signal, progress }) => {
  let last = 0;
  let latest: ExportProgress | null = null;
  const onProgress = (p: ExportProgress) => {
    latest = p;
    const now = Date.now();
    if (p.phase === "done" || now - last < REPORT_EVERY_MS) return; // "done" is written once, below
    last = now;
    void progress({ ...p }).catch(() => undefined);
  };
  try {
    const result = await runExport(payload.exportId, { onProgress, signal });
    await progress({ ...(latest ?? { done: 0, total: 0, bytes: result.sizeBytes }), phase: "done" }).catch(
      () => undefined,
    );
    return result;
  } catch (e) {
    // Refusals (nothing accepted, a mask that fails its checksum, a missing export) will not pass on a retry.
    const permanent = isAppError(e) && ["CONFLICT", "NOT_FOUND", "BAD_REQUEST"].includes(e.code);
    if (permanent || attempt >= (jobDefinitions.export.maxAttempts ?? 3)) {
      await failExport(payload.exportId, e instanceof Error ? e.message : String(e)).catch(() => undefined);
    }
    if (permanent) throw new PermanentJobError((e as Error).message);
    throw e;
  }
};
