import { describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { db } from "../../lib/db/client";
import { enqueue } from "../../lib/jobs/queue";
import { uniq } from "../setup/fixtures";

// Every noop run appends a line here (the job's side effect, in place of an audit row).
const TRACE = path.join(mkdtempSync(path.join(tmpdir(), "noop-trace-")), "runs.jsonl");

function runsOf(ids: string[]): { jobId: string; pid: number }[] {
  if (!existsSync(TRACE)) return [];
  const wanted = new Set(ids);
  return readFileSync(TRACE, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { jobId: string; pid: number })
    .filter((r) => wanted.has(r.jobId));
}

function startWorker(extra: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ["--import", "./scripts/node-loader.mjs", "workers/main.ts"], {
    env: {
      ...process.env,
      WORKER_JOBS: "noop",
      WORKER_POLL_MS: "50",
      LOG_LEVEL: "error",
      NOOP_TRACE_FILE: TRACE,
      ...extra,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

async function stop(p: ChildProcess, signal: NodeJS.Signals = "SIGTERM") {
  if (p.exitCode !== null) return;
  const done = new Promise((r) => p.once("exit", r));
  p.kill(signal);
  await done;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 60_000) {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("job queue", () => {
  it("enqueue with a singleton key is idempotent", async () => {
    const key = uniq("single");
    const a = await enqueue("noop", { tag: key, sleepMs: 0 }, { singletonKey: key });
    const b = await enqueue("noop", { tag: key, sleepMs: 0 }, { singletonKey: key });
    expect(b).toEqual({ id: a.id, created: false });
    expect(await db().job.count({ where: { singletonKey: key } })).toBe(1);
    await db().job.update({ where: { id: a.id }, data: { status: "CANCELLED" } });
  });

  it("rejects a payload that does not match the job's schema", async () => {
    await expect(enqueue("noop", { tag: 5 } as never)).rejects.toThrow();
  });

  it("two worker processes on one database run every job exactly once", async () => {
    const tag = uniq("pair");
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await enqueue("noop", { tag: `${tag}-${i}`, sleepMs: 30 })).id);
    const workers = [startWorker(), startWorker()];
    try {
      await waitFor(
        async () => (await db().job.count({ where: { id: { in: ids }, status: "SUCCEEDED" } })) === ids.length,
      );
    } finally {
      await Promise.all(workers.map((w) => stop(w)));
    }
    const runs = runsOf(ids);
    expect(runs.length).toBe(ids.length);
    // A diagnostic job leaves the append-only audit log alone.
    expect(await db().auditLog.count({ where: { objectId: { in: ids } } })).toBe(0);
    expect(new Set(runs.map((r) => r.jobId)).size).toBe(ids.length);
    const pids = new Set(runs.map((r) => r.pid));
    expect(pids.size).toBe(2);
    const jobs = await db().job.findMany({ where: { id: { in: ids } } });
    expect(jobs.every((j) => j.attempts === 1)).toBe(true);
  }, 120_000);

  it("a job whose worker is killed mid-run is retried by another worker", async () => {
    const { id } = await enqueue("noop", { tag: uniq("killed"), sleepMs: 4000 });
    const first = startWorker({ WORKER_LEASE_MS: "1500" });
    await waitFor(async () => (await db().job.findUniqueOrThrow({ where: { id } })).status === "RUNNING");
    await stop(first, "SIGKILL");
    const second = startWorker({ WORKER_LEASE_MS: "1500" });
    try {
      await waitFor(async () => (await db().job.findUniqueOrThrow({ where: { id } })).status === "SUCCEEDED", 60_000);
    } finally {
      await stop(second);
    }
    const job = await db().job.findUniqueOrThrow({ where: { id } });
    expect(job.attempts).toBe(2);
    expect(runsOf([id]).length).toBe(1);
  }, 120_000);

  it("graceful shutdown hands a running job back without counting the attempt", async () => {
    const { id } = await enqueue("noop", { tag: uniq("graceful"), sleepMs: 20_000 });
    const w = startWorker({ WORKER_GRACE_MS: "200" });
    await waitFor(async () => (await db().job.findUniqueOrThrow({ where: { id } })).status === "RUNNING");
    await stop(w, "SIGTERM");
    const job = await db().job.findUniqueOrThrow({ where: { id } });
    expect(job.status).toBe("QUEUED");
    expect(job.attempts).toBe(0);
    await db().job.update({ where: { id }, data: { status: "CANCELLED" } });
  }, 60_000);
});
