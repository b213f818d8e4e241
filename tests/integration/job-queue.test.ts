import { describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { db } from "../../lib/db/client";
import { enqueue } from "../../lib/jobs/queue";
import { uniq } from "../setup/fixtures";

function startWorker(extra: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "workers/main.ts"], {
    env: { ...process.env, WORKER_JOBS: "noop", WORKER_POLL_MS: "50", LOG_LEVEL: "error", ...extra },
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
    const audits = await db().auditLog.findMany({ where: { action: "job.noop", objectId: { in: ids } } });
    expect(audits.length).toBe(ids.length);
    expect(new Set(audits.map((a) => a.objectId)).size).toBe(ids.length);
    const pids = new Set(audits.map((a) => (a.after as { pid: number }).pid));
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
    expect(await db().auditLog.count({ where: { action: "job.noop", objectId: id } })).toBe(1);
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
