import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { db } from "../../lib/db/client";
import { storeImage } from "../../lib/images/mutations";
import { selectStage1Subset, startStage1, startStage1Training } from "../../lib/protocol/mutations";
import { LocalStore } from "../../lib/storage/local-store";
import { setStoreForTests, store } from "../../lib/storage/store";
import { makeProject } from "../setup/fixtures";
import { drawAllManual } from "../setup/protocol";
import { decodedFromPixels } from "../setup/synthetic-images";
import { blobImage } from "../setup/tiny-model";

// Workers SIGKILLed mid-job, in their own processes, on the real trainer with a tiny config:
// the job completes on another worker after the lease expires, and nothing is duplicated.
const LEASE_MS = "2500";
let storageDir: string;
let projectId: string;
let roundId: string;
let runIds: string[];
const live = new Set<ChildProcess>();

function startWorker(jobs: string): ChildProcess {
  const w = spawn(process.execPath, ["--import", "./scripts/node-loader.mjs", "workers/main.ts"], {
    env: {
      ...process.env,
      WORKER_JOBS: jobs,
      WORKER_POLL_MS: "100",
      WORKER_LEASE_MS: LEASE_MS,
      STORAGE_DRIVER: "local",
      STORAGE_DIR: storageDir,
      LOG_LEVEL: "error",
      TRAIN_DEVICE: "cpu",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  live.add(w);
  w.once("exit", () => live.delete(w));
  return w;
}

/** SIGKILLs a worker and the processes it started (the trainer): a machine dying. */
async function crash(w: ChildProcess) {
  const children = spawnSync("pgrep", ["-P", String(w.pid)], { encoding: "utf8" })
    .stdout.split("\n")
    .filter(Boolean)
    .map(Number);
  const gone = new Promise((r) => w.once("exit", r));
  w.kill("SIGKILL");
  for (const pid of children) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
  await gone;
  return children;
}

async function until<T>(what: string, f: () => Promise<T | undefined | null | false>, timeoutMs = 120_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const jobsOf = (name: string) => db().job.findMany({ where: { projectId, name }, orderBy: { createdAt: "asc" } });

beforeAll(async () => {
  storageDir = mkdtempSync(path.join(os.tmpdir(), "tandem-worker-faults-"));
  setStoreForTests(new LocalStore(storageDir));
  const fx = await makeProject({
    folds: 2,
    stage1Archs: [{ arch: "unet", encoder: "tiny" }],
    trainConfig: { size: 64, epochs: 3, batchSize: 4, lr: 0.01, width: 8 },
  });
  projectId = fx.project.id;
  for (let i = 0; i < 6; i++) {
    const im = blobImage(64, 64, 300 + i, i % 3 !== 2);
    await storeImage(projectId, await decodedFromPixels(im.pixels, 64, 64), {
      originalName: `w${i}.png`,
      label: "COVID",
      patientPseudonym: `WP${i}`,
    });
  }
  await selectStage1Subset(fx.lead.actor, projectId, { size: 6, seed: 5 });
  await startStage1(fx.lead.actor, projectId);
  await drawAllManual(projectId, fx.md.id);
  ({ roundId, runIds } = await startStage1Training(fx.lead.actor, projectId));
}, 120_000);

afterAll(async () => {
  for (const w of live) w.kill("SIGKILL");
  setStoreForTests(undefined);
  rmSync(storageDir, { recursive: true, force: true });
});

describe("worker crashes", () => {
  it("a worker killed mid-training: the run trains on another worker after the lease, once", async () => {
    const a = startWorker("train");
    const job = await until("a training under way", async () => {
      const j = (await jobsOf("train")).find((x) => x.status === "RUNNING");
      // The trainer is running once the worker has a child process.
      if (j && a.pid && spawnSync("pgrep", ["-P", String(a.pid)]).status === 0) return j;
    });
    await new Promise((r) => setTimeout(r, 1500)); // well into the epochs
    const killed = await crash(a);
    expect(killed.length).toBeGreaterThan(0);
    expect((await db().job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("RUNNING");

    const b = startWorker("train");
    try {
      await until(
        "both trainings done",
        async () => (await jobsOf("train")).every((j) => j.status === "SUCCEEDED"),
        240_000,
      );
    } finally {
      b.kill("SIGTERM");
      await new Promise((r) => b.once("exit", r));
    }
    const retried = await db().job.findUniqueOrThrow({ where: { id: job.id } });
    expect(retried.attempts).toBe(2);
    const runs = await db().modelRun.findMany({ where: { id: { in: runIds } } });
    expect(runs.map((r) => r.status)).toEqual(runs.map(() => "SUCCEEDED"));
    for (const r of runs) expect((await store().get(r.artifactKey!)).length).toBeGreaterThan(1000);
    // One artifact per run in storage, nothing else left under runs/.
    const runObjects: string[] = [];
    for await (const k of store().list(`projects/${projectId}/runs/`)) runObjects.push(k);
    expect(runObjects.filter((k) => k.endsWith("model.onnx")).length).toBe(runIds.length);
  }, 300_000);

  it("a worker killed mid-prediction: the job completes after the lease with one candidate per image and run", async () => {
    const predictJobs = await until("prediction jobs", async () => {
      const j = await jobsOf("predict");
      return j.length > 0 && j;
    });
    // Hold the runs' rows so the prediction blocks just before its first candidate rows.
    const holder = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await holder.connect();
    await holder.query("BEGIN");
    await holder.query(`SELECT id FROM "ModelRun" WHERE id = ANY($1::uuid[]) FOR UPDATE`, [runIds]);
    const c = startWorker("predict");
    let killedJob: string;
    try {
      killedJob = await until("a prediction blocked mid-write", async () => {
        const running = (await jobsOf("predict")).find((j) => j.status === "RUNNING");
        if (!running) return;
        const waiting = await holder.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
        );
        return waiting.rows[0].n > 0 && running.id;
      });
      await crash(c);
    } finally {
      await holder.query("ROLLBACK");
      await holder.end();
    }
    const d = startWorker("predict");
    try {
      await until(
        "every prediction done",
        async () => (await jobsOf("predict")).every((j) => j.status === "SUCCEEDED"),
        120_000,
      );
    } finally {
      d.kill("SIGTERM");
      await new Promise((r) => d.once("exit", r));
    }
    expect((await db().job.findUniqueOrThrow({ where: { id: killedJob } })).attempts).toBe(2);
    expect(predictJobs.length).toBeGreaterThan(0);

    const expected = await db().modelRunImage.findMany({ where: { runId: { in: runIds }, trained: false } });
    const machine = await db().mask.findMany({ where: { modelRunId: { in: runIds }, kind: "MACHINE" } });
    expect(machine.length).toBe(expected.length);
    expect(new Set(machine.map((m) => `${m.modelRunId}:${m.imageId}`)).size).toBe(expected.length);
    const candidates = await db().candidate.findMany({ where: { roundId, maskId: { in: machine.map((m) => m.id) } } });
    expect(candidates.length).toBe(machine.length);
    for (const m of machine) expect((await store().get(m.storageKey)).length).toBeGreaterThan(0);
    // No object left behind by the killed attempt: every prob/mask object belongs to a row.
    const probs: string[] = [];
    for await (const k of store().list(`projects/${projectId}/runs/`)) if (k.includes("/prob/")) probs.push(k);
    expect(probs.sort()).toEqual(machine.map((m) => m.probKey!).sort());
  }, 300_000);
});
