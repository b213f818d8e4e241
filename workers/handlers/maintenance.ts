import { failStaleImportBatches } from "../../lib/imports/mutations";
import { closeFinishedRounds } from "../../lib/protocol/mutations";
import type { JobHandler } from "../../lib/jobs/types";
import { sweepOrphanObjects } from "../../lib/storage/sweep-orphans";

export const sweepOrphansHandler: JobHandler<{ graceMs: number; prefix: string }> = async ({ payload }) =>
  sweepOrphanObjects({ graceMs: payload.graceMs, prefix: payload.prefix });

export const failStaleImportsHandler: JobHandler<{ staleMs: number }> = async ({ payload }) => {
  const failed = await failStaleImportBatches(payload.staleMs);
  return { failed: failed.length, batches: failed.map((b) => b.id) };
};

export const closeFinishedRoundsHandler: JobHandler<{ projectId?: string }> = async ({ payload }) => ({
  closed: await closeFinishedRounds(payload.projectId),
});
