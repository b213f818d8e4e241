import { startRunner } from "../../workers/runner";
import { jobCounts } from "../../lib/jobs/queries";

/** Runs the project's queued jobs in this process with the real handlers until none is left. */
export async function drainJobs(projectId: string, onTick?: (counts: Record<string, number>) => void) {
  const runner = startRunner({ names: ["train", "predict"], pollMs: 200, leaseMs: 120_000, projectId });
  try {
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000));
      const c = await jobCounts(projectId);
      onTick?.(c);
      if (!c.QUEUED && !c.RUNNING) {
        if (c.FAILED) throw new Error(`${c.FAILED} job(s) failed; see the worker log`);
        return;
      }
    }
  } finally {
    await runner.stop(5_000);
  }
}
