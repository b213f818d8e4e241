import type { JobHandler } from "../../lib/jobs/types";
import { recordAudit } from "../../lib/audit/mutations";

// A diagnostic job: proves the queue end to end (tests run several workers on it).
export const noopHandler: JobHandler<{ tag: string; sleepMs: number }> = async ({ payload, jobId, signal }) => {
  if (payload.sleepMs) {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, payload.sleepMs);
      signal.addEventListener("abort", () => {
        clearTimeout(t);
        reject(new Error("aborted"));
      });
    });
  }
  await recordAudit({
    action: "job.noop",
    objectType: "Job",
    objectId: jobId,
    after: { tag: payload.tag, pid: process.pid },
  });
  return { tag: payload.tag, pid: process.pid };
};
