// `npm run bench demo-vote`: how long after `npm start` is serving the demo's blinded vote opens
// (issue 15: within 5 minutes on 2 cores). It does what scripts/start.ts does on a fresh data
// directory (database, migrations, seedDemo), then starts the worker as start.ts does at the
// moment the app begins serving, and waits until the "demo-vote" project's Stage-I round is VOTING.
// The web server is left out: nobody browses during the wait, and `next build` is not part of it.
// DEMO_VOTE_WORKERS sets WORKER_CONCURRENCY (default: as npm start, lib/config/local-workers.ts);
// DEMO_VOTE_LIMIT_MIN (default 30) gives up.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { localWorkerEnv } from "../lib/config/local-workers";
import type { ConfusionCounts } from "../lib/masks/measures";
import { bootstrapConfusion } from "../lib/ml/intervals";
import { median, processCpuSeconds as cpuSeconds, RUNS, spread } from "./repeat";
import { scratchAppEnv } from "./scratch-env";

type Row = { name: string; value: number; unit: string; note?: string };

const __filename = fileURLToPath(import.meta.url);
const limitMs = Number(process.env.DEMO_VOTE_LIMIT_MIN ?? 30) * 60_000;

type FinishedRun = { arch: string; encoder: string; metrics: unknown; startedAt: Date | null; finishedAt: Date | null };

/**
 * Pooled out-of-fold pixel F1 per architecture: the held-out images' confusion counts summed over
 * folds, with an image-level bootstrap interval (each run draws new folds and drawings).
 */
function pooledRows(runs: FinishedRun[]): Row[] {
  const byArch = new Map<string, { images: ConfusionCounts[]; folds: number; seconds: number }>();
  for (const r of runs) {
    const per = (r.metrics as { val_per_image?: { confusion: number[][] } } | null)?.val_per_image;
    const a = byArch.get(`${r.arch}/${r.encoder}`) ?? { images: [], folds: 0, seconds: 0 };
    for (const [tp, fp, tn, fn] of per?.confusion ?? []) a.images.push({ tp, fp, tn, fn });
    a.folds++;
    if (r.startedAt && r.finishedAt) a.seconds += (r.finishedAt.getTime() - r.startedAt.getTime()) / 1000;
    byArch.set(`${r.arch}/${r.encoder}`, a);
  }
  return [...byArch].map(([arch, a]) => {
    const f1 = bootstrapConfusion(a.images).f1.interval;
    const tp = a.images.reduce((s, c) => s + c.tp, 0);
    const wrong = a.images.reduce((s, c) => s + c.fp + c.fn, 0);
    return {
      name: `demo-vote: ${arch} pooled out-of-fold pixel F1`,
      value: (2 * tp) / Math.max(1, 2 * tp + wrong),
      unit: "",
      note: `95% CI ${f1 ? f1.map((v) => v.toFixed(3)).join("–") : "n/a"} (image bootstrap, ${a.images.length} held-out images); ${a.folds} folds, the demo's own Stage-I subset and drawings; ${(a.seconds / a.folds).toFixed(0)} s per run (wall)`,
    };
  });
}

/**
 * BENCH_RUNS fresh starts, one after another (about 4–5 minutes each on 2 cores), each in a
 * process of its own as `npm start` would be (the store and database clients are per process):
 * the minutes and each architecture's pooled F1 as medians with their spread, every run's
 * figures in the note.
 */
export async function run(): Promise<Row[]> {
  const runs: Row[][] = [];
  for (let i = 0; i < RUNS; i++) {
    runs.push(await onceInChild());
    if (RUNS > 1) process.stderr.write(`demo-vote: run ${i + 1} of ${RUNS} done\n`);
  }
  if (runs.length === 1) return runs[0];
  const names = [...new Set(runs.flatMap((r) => r.map((row) => row.name)))];
  return names.map((name) => {
    const rows = runs.map((r) => r.find((row) => row.name === name)).filter((row): row is Row => !!row);
    const values = rows.map((row) => row.value);
    return {
      name,
      value: median(values),
      unit: rows[0].unit,
      note: `${spread(values)}${rows.length < runs.length ? ` (in ${rows.length} of ${runs.length} runs)` : ""}; per run: ${rows.map((row) => `${row.value.toFixed(3)} (${row.note})`).join("; ")}`,
    };
  });
}

const ROWS_MARK = "demo-vote rows: ";

/** One start in a child process; its rows come back on a marked stdout line. */
async function onceInChild(): Promise<Row[]> {
  const code = `const m = await import(${JSON.stringify(pathToFileURL(__filename).href)}); process.stdout.write(${JSON.stringify(ROWS_MARK)} + JSON.stringify(await m.once()) + "\\n"); process.exit(0);`;
  const child = spawn(process.execPath, ["--import", "./scripts/node-loader.mjs", "--input-type=module", "-e", code], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => void (out += c.toString()));
  const status = await new Promise<number | null>((r) => child.once("exit", r));
  const line = out.split("\n").find((l) => l.startsWith(ROWS_MARK));
  if (status !== 0 || !line) throw new Error(`a demo-vote run failed (exit ${status}); see its messages above`);
  return JSON.parse(line.slice(ROWS_MARK.length)) as Row[];
}

export async function once(): Promise<Row[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tandem-bench-demo-vote-"));
  const { startEmbeddedPostgres } = await import("../lib/db/embedded");
  const { migrate } = await import("../lib/db/migrate");
  const pgServer = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), database: "tandem_demo" });
  const env: NodeJS.ProcessEnv = { ...scratchAppEnv(dir, pgServer.url), TANDEM_DATA_DIR: dir };
  if (process.env.DEMO_VOTE_WORKERS) env.WORKER_CONCURRENCY = process.env.DEMO_VOTE_WORKERS;
  Object.assign(env, localWorkerEnv(env, os.cpus().length)); // as scripts/start.ts
  for (const k of ["TANDEM_DATA_DIR", "DATABASE_URL", "STORAGE_DIR", "STORAGE_DRIVER", "AUTH_SECRET", "PSEUDONYM_KEY"])
    process.env[k] = env[k];
  let worker: ChildProcess | undefined;
  try {
    await migrate(pgServer.url);
    const { seedDemo } = await import("../lib/demo/seed-demo");
    const { db, closeDb } = await import("../lib/db/client");
    const seedStart = Date.now();
    await seedDemo({ dataDir: dir });
    const seedSeconds = (Date.now() - seedStart) / 1000;
    const load0 = os.loadavg()[0];
    const t0 = Date.now();
    worker = spawn(process.execPath, ["--import", "./scripts/node-loader.mjs", "workers/main.ts"], {
      stdio: ["ignore", "ignore", "inherit"],
      env,
    });
    const project = await db().project.findUniqueOrThrow({ where: { slug: "demo-vote" }, select: { id: true } });
    let status = "";
    let runs = { done: 0, total: 0 };
    while (Date.now() - t0 < limitMs) {
      await new Promise((r) => setTimeout(r, 2000));
      const round = await db().round.findFirst({
        where: { projectId: project.id, stage: "STAGE_I" },
        orderBy: { number: "desc" },
        select: { status: true },
      });
      status = round?.status ?? "";
      const all = await db().modelRun.groupBy({ by: ["status"], where: { projectId: project.id }, _count: true });
      runs = {
        done: all.filter((g) => g.status === "SUCCEEDED").reduce((s, g) => s + g._count, 0),
        total: all.reduce((s, g) => s + g._count, 0),
      };
      if (all.some((g) => g.status === "FAILED")) throw new Error("a demo training run failed");
      if (status === "VOTING") break;
    }
    const minutes = (Date.now() - t0) / 60_000;
    const workerCpu = worker.pid ? cpuSeconds(worker.pid) : NaN;
    const finished = await db().modelRun.findMany({
      where: { projectId: project.id, status: "SUCCEEDED" },
      select: { arch: true, encoder: true, metrics: true, startedAt: true, finishedAt: true },
    });
    await closeDb();
    if (status !== "VOTING") throw new Error(`the vote had not opened after ${minutes.toFixed(1)} min (${status})`);
    return [
      ...pooledRows(finished),
      {
        name: "demo-vote: minutes from the worker's start to the open vote",
        value: minutes,
        unit: "min",
        note: `${runs.done} of ${runs.total} Stage-I runs; ${env.WORKER_CONCURRENCY} jobs at once, ${env.TANDEM_TRAIN_THREADS} thread(s) each; load ${load0.toFixed(1)} → ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores; worker CPU ${(workerCpu / 60).toFixed(1)} min (incl. trainers); seeding took ${seedSeconds.toFixed(0)} s before`,
      },
    ];
  } finally {
    if (worker && worker.exitCode === null) {
      worker.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 1000));
      if (worker.exitCode === null) worker.kill("SIGKILL");
    }
    await pgServer.discard();
    rmSync(dir, { recursive: true, force: true });
  }
}
