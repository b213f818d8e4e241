import "server-only";
import { parseEnv } from "../lib/config/env";
import { closeDb } from "../lib/db/client";
import { logger } from "../lib/log/logger";
import { startRunner } from "./runner";

// The worker process: `npm run worker`. Any number of them, on any machines, may share one database.
try {
  parseEnv();
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
const names = process.env.WORKER_JOBS?.split(",").filter(Boolean);
const runner = startRunner({
  names,
  concurrency: Number(process.env.WORKER_CONCURRENCY ?? 1),
  pollMs: Number(process.env.WORKER_POLL_MS ?? 1000),
  leaseMs: process.env.WORKER_LEASE_MS ? Number(process.env.WORKER_LEASE_MS) : undefined,
  gpu: process.env.WORKER_GPU ?? null,
});

// One job's stray rejection must not take the worker (and every other job) down with it.
process.on("unhandledRejection", (reason) => {
  logger.error("unhandled rejection in worker", {
    err: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason),
  });
});

let stopping = false;
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, async () => {
    if (stopping) return;
    stopping = true;
    logger.info("worker shutting down", { signal: sig });
    await runner.stop(Number(process.env.WORKER_GRACE_MS ?? 30_000));
    await closeDb();
    process.exit(0);
  });
}
