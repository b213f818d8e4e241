import { appendFileSync } from "node:fs";
import type { JobHandler } from "../../lib/jobs/types";

// A diagnostic job: proves the queue end to end (tests and the soak benchmark run workers on it).
// It writes nothing to the audit log; its result is the job's `result`, and where NOOP_TRACE_FILE
// names a file (tests, benchmarks) it appends one line per run there, so a run done twice shows.
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
  const trace = process.env.NOOP_TRACE_FILE;
  if (trace) appendFileSync(trace, `${JSON.stringify({ jobId, tag: payload.tag, pid: process.pid })}\n`);
  return { tag: payload.tag, pid: process.pid };
};
