// Soak: 50 simulated MDs drawing and voting over HTTP for 60 s against the production build
// (next start) on a fresh embedded PostgreSQL, while a worker drains a steady stream of jobs
// and is SIGKILLed and restarted half-way. Every failed request is retried (same idempotency
// key) until it succeeds; afterwards every acknowledged write is looked up. Reports requests,
// errors, p95 latency and the web server's RSS before/after with its trend.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { scratchAppEnv } from "./scratch-env";

type Row = { name: string; value: number; unit: string; note?: string };

const MDS = Number(process.env.SOAK_MDS ?? 50);
const DURATION_MS = Number(process.env.SOAK_SECONDS ?? 60) * 1000;
const DRAW_IMAGES = 800;
const VOTE_IMAGES = 3000;
const THINK_MS = [800, 2500] as const; // between an MD's actions
const JOB_EVERY_MS = 200;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};

/** RSS of a process and its descendants, in MiB (Linux /proc). */
function treeRssMiB(pid: number): number {
  const kids = new Map<number, number[]>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${d}/status`, "utf8"))![1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(d)]);
    } catch {
      /* gone */
    }
  }
  let kb = 0;
  const walk = (p: number) => {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      /* gone */
    }
    for (const c of kids.get(p) ?? []) walk(c);
  };
  walk(pid);
  return kb / 1024;
}

/** Least-squares slope of (t, y), per minute. */
function slopePerMin(points: { t: number; y: number }[]): number {
  const n = points.length;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.t - mt) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.t - mt) ** 2, 0);
  return den ? (num / den) * 60_000 : 0;
}

export async function run(): Promise<Row[]> {
  if (!existsSync(".next/BUILD_ID") || process.env.BENCH_REBUILD === "1") {
    const b = spawnSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], { stdio: "inherit" });
    if (b.status !== 0) throw new Error("next build failed");
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "tandem-bench-soak-"));
  const { startEmbeddedPostgres, freePort } = await import("../lib/db/embedded");
  const { migrate } = await import("../lib/db/migrate");
  const pgServer = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), database: "tandem_soak" });
  const children: ChildProcess[] = [];
  const env = scratchAppEnv(dir, pgServer.url);
  for (const k of ["DATABASE_URL", "STORAGE_DIR", "STORAGE_DRIVER", "AUTH_SECRET", "PSEUDONYM_KEY", "LOG_LEVEL"])
    process.env[k] = env[k];
  try {
    await migrate(pgServer.url);
    const { db, closeDb } = await import("../lib/db/client");
    const { createUser } = await import("../lib/auth/mutations");
    const { createProject, addMember } = await import("../lib/projects/mutations");
    const { selectStage1Subset, startStage1 } = await import("../lib/protocol/mutations");
    const { enqueue } = await import("../lib/jobs/queue");
    const { MdClient, signInAt } = await import("../tests/setup/md-client");

    // --- seed: a drawing project (Stage I) and a voting project (an open Stage-II vote)
    const admin = await createUser({ email: "soak-admin@tandem.local", name: "admin", isAdmin: true });
    const adminActor = { userId: admin.id, isAdmin: true };
    const lead = await createUser({ email: "soak-lead@tandem.local", name: "lead", password: "soak-password-lead" });
    const draw = await createProject(adminActor, { name: "Soak drawing", slug: "soak-draw" });
    const vote = await createProject(adminActor, { name: "Soak voting", slug: "soak-vote" });
    await addMember(adminActor, draw.id, { email: lead.email, roles: ["LEAD"] });
    const mds: { email: string; password: string }[] = [];
    for (let i = 0; i < MDS; i++) {
      const m = { email: `soak-md${i}@tandem.local`, password: `soak-password-${i}` };
      await createUser({ email: m.email, name: `MD ${i}`, password: m.password });
      for (const p of [draw.id, vote.id]) await addMember(adminActor, p, { email: m.email, roles: ["MD"] });
      mds.push(m);
    }
    const insertImages = (projectId: string, n: number, state: string) =>
      db().$executeRawUnsafe(
        `
      INSERT INTO "Image" (id, "projectId", "originalName", "sourceFormat", sha256, "pixelSha256", "storageKey", "originalKey", "thumbKey", width, height, "bitDepth", label, state, "patientPseudonym", "createdAt")
      SELECT gen_random_uuid(), $1::uuid, 'soak-' || g, 'PNG', md5($1 || g::text) || md5('s' || g), md5('p' || g), 'soak/w', 'soak/o', 'soak/t', 48, 40, 8,
             'COVID'::"ImageLabel", '${state}'::"ImageState", 'P' || g, now()
      FROM generate_series(1, $2) g`,
        projectId,
        n,
      );
    await insertImages(draw.id, DRAW_IMAGES, "UNANNOTATED");
    const leadActor = { userId: lead.id, isAdmin: false };
    await selectStage1Subset(leadActor, draw.id, { size: DRAW_IMAGES, seed: 1 });
    await startStage1(leadActor, draw.id);
    await insertImages(vote.id, VOTE_IMAGES, "AWAITING_VOTE");
    const round = await db().round.create({
      data: { projectId: vote.id, number: 2, stage: "STAGE_II", status: "VOTING" },
    });
    await db().$executeRawUnsafe(
      `
      INSERT INTO "Mask" (id, "projectId", "imageId", kind, "storageKey", sha256, area, width, height, "roundId", "createdAt")
      SELECT gen_random_uuid(), i."projectId", i.id, 'MACHINE', 'soak/m', md5(i.id::text || k), 100, 48, 40, $2::uuid, now()
      FROM "Image" i CROSS JOIN generate_series(1, 3) k WHERE i."projectId" = $1::uuid`,
      vote.id,
      round.id,
    );
    await db().$executeRawUnsafe(
      `
      INSERT INTO "Candidate" (id, "roundId", "imageId", "maskId", "createdAt")
      SELECT gen_random_uuid(), $2::uuid, m."imageId", m.id, now() FROM "Mask" m WHERE m."projectId" = $1::uuid`,
      vote.id,
      round.id,
    );
    await db().$executeRawUnsafe("VACUUM ANALYZE");

    // --- the app and one worker
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const web = spawn(
      process.execPath,
      ["node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"],
      {
        env: { ...env, APP_URL: base, NEXTAUTH_URL: base, DB_POOL_MAX: "20" },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    children.push(web);
    // The server's error log is counted, not shown: what went wrong is reported below.
    const serverErrors = new Map<string, number>();
    let partial = "";
    web.stderr!.on("data", (c: Buffer) => {
      const lines = (partial + c.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const l of lines) {
        if (!l.includes('"level":"error"')) continue;
        const what = /"err":"(?:[A-Za-z]+Error: )?(?:\\n)*([^"\\]{0,80})/.exec(l)?.[1] ?? l.slice(0, 80);
        serverErrors.set(what, (serverErrors.get(what) ?? 0) + 1);
      }
    });
    for (const t0 = Date.now(); ; ) {
      try {
        if ((await fetch(`${base}/api/ready`)).ok) break;
      } catch {
        /* starting */
      }
      if (Date.now() - t0 > 60_000) throw new Error("the app did not start");
      await new Promise((r) => setTimeout(r, 200));
    }
    const startWorker = () => {
      const w = spawn(process.execPath, ["--import", "./scripts/node-loader.mjs", "workers/main.ts"], {
        env: {
          ...env,
          WORKER_JOBS: "noop",
          WORKER_POLL_MS: "100",
          WORKER_LEASE_MS: "3000",
          NOOP_TRACE_FILE: path.join(dir, "noop-runs.jsonl"),
        },
        stdio: ["ignore", "ignore", "inherit"],
      });
      children.push(w);
      return w;
    };
    let worker = startWorker();

    const clients: InstanceType<typeof MdClient>[] = [];
    for (const m of mds)
      clients.push(
        new MdClient(base, await signInAt(base, m.email, m.password), {
          retries: 30,
          backoffMs: 100,
          timeoutMs: 30_000,
        }),
      );
    // Warm every route once, then take the resting RSS.
    await clients[0].voteOnce(vote.id);
    await clients[0].drawOnce(draw.id);
    await new Promise((r) => setTimeout(r, 2000));
    const rssBefore = treeRssMiB(web.pid!);

    // --- load
    const t0 = Date.now();
    const rss: { t: number; y: number }[] = [{ t: 0, y: rssBefore }];
    const sampler = setInterval(() => rss.push({ t: Date.now() - t0, y: treeRssMiB(web.pid!) }), 2000);
    const jobIds: string[] = [];
    const producer = setInterval(() => {
      void enqueue("noop", { tag: `soak-${jobIds.length}`, sleepMs: 150 }).then((j) => jobIds.push(j.id));
    }, JOB_EVERY_MS);
    const crash = setTimeout(() => {
      worker.kill("SIGKILL");
      setTimeout(() => (worker = startWorker()), 5000);
    }, DURATION_MS / 3);
    const think = () => new Promise((r) => setTimeout(r, THINK_MS[0] + Math.random() * (THINK_MS[1] - THINK_MS[0])));
    await Promise.all(
      clients.map(async (c, i) => {
        await new Promise((r) => setTimeout(r, (i * 1000) / MDS));
        let canDraw = true;
        while (Date.now() - t0 < DURATION_MS) {
          if (canDraw && Math.random() < 0.35) canDraw = await c.drawOnce(draw.id);
          else await c.voteOnce(vote.id);
          await think();
        }
      }),
    );
    const loadMs = Date.now() - t0;
    clearInterval(producer);
    clearTimeout(crash);
    await new Promise((r) => setTimeout(r, 3000));
    clearInterval(sampler);
    const rssAfter = treeRssMiB(web.pid!);

    // --- every acknowledged write is there, once; every job ran once
    for (const t1 = Date.now(); ; ) {
      const left = await db().job.count({ where: { id: { in: jobIds }, status: { not: "SUCCEEDED" } } });
      if (left === 0 || Date.now() - t1 > 60_000) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const acks = clients.flatMap((c) => c.acks);
    const maskAcks = acks.filter((a) => a.kind === "mask") as { taskId: string; maskId: string }[];
    const voteAcks = acks.filter((a) => a.kind === "vote") as { ballotId: string; key: string }[];
    const tasks = new Map(
      (
        await db().task.findMany({
          where: { id: { in: maskAcks.map((a) => a.taskId) } },
          select: { id: true, maskId: true, status: true },
        })
      ).map((t) => [t.id, t]),
    );
    const votes = new Map(
      (
        await db().vote.findMany({
          where: { ballotId: { in: voteAcks.map((a) => a.ballotId) } },
          select: { ballotId: true, idempotencyKey: true },
        })
      ).map((v) => [v.ballotId, v]),
    );
    let lost = 0;
    for (const a of maskAcks)
      if (tasks.get(a.taskId)?.maskId !== a.maskId || tasks.get(a.taskId)?.status !== "DONE") lost++;
    for (const a of voteAcks) if (votes.get(a.ballotId)?.idempotencyKey !== a.key) lost++;
    const dupMasks = await db().$queryRaw<
      { n: bigint }[]
    >`SELECT count(*) AS n FROM (SELECT "taskId" FROM "Mask" WHERE "projectId" = ${draw.id}::uuid AND "taskId" IS NOT NULL GROUP BY "taskId" HAVING count(*) > 1) d`;
    const jobsDone = await db().job.count({ where: { id: { in: jobIds }, status: "SUCCEEDED" } });
    // Each noop run appends its job id to the trace file: a job run twice shows there.
    const runsPerJob = new Map<string, number>();
    const trace = path.join(dir, "noop-runs.jsonl");
    for (const l of existsSync(trace) ? readFileSync(trace, "utf8").split("\n") : [])
      if (l) {
        const { jobId } = JSON.parse(l) as { jobId: string };
        runsPerJob.set(jobId, (runsPerJob.get(jobId) ?? 0) + 1);
      }
    const jobsTwice = jobIds.filter((id) => (runsPerJob.get(id) ?? 0) > 1).length;
    const retried = await db().job.count({ where: { id: { in: jobIds }, attempts: { gt: 1 } } });
    await closeDb();

    const samples = clients.flatMap((c) => c.samples);
    const failed = samples.filter((s) => s.status === 0 || s.status >= 500);
    const refused = samples.filter((s) => s.status >= 400 && s.status < 500);
    const retriedOk = clients.reduce((n, c) => n + c.retriedOk, 0);
    const gaveUp = clients.reduce((n, c) => n + c.gaveUp, 0);
    const secondHalf = rss.filter((p) => p.t >= loadMs / 2);
    const thirds = [1, 2, 3].map((k) => Math.max(...rss.filter((p) => p.t <= (k * loadMs) / 3).map((p) => p.y)));
    const note = `${MDS} MDs, ${(loadMs / 1000).toFixed(0)} s, think ${THINK_MS[0]}–${THINK_MS[1]} ms; worker SIGKILLed at ${(DURATION_MS / 3000).toFixed(0)} s, back 5 s later`;
    return [
      { name: "requests", value: samples.length, unit: "", note },
      { name: "requests/s", value: samples.length / (loadMs / 1000), unit: "/s" },
      { name: "acknowledged masks", value: maskAcks.length, unit: "" },
      { name: "acknowledged votes", value: voteAcks.length, unit: "" },
      { name: "failed requests (5xx/network)", value: failed.length, unit: "", note: "each retried with the same key" },
      {
        name: "refused requests (4xx)",
        value: refused.length,
        unit: "",
        note: refused.length ? [...new Set(refused.map((s) => `${s.op}:${s.status}`))].join(" ") : "",
      },
      { name: "failed writes retried to success", value: retriedOk, unit: "" },
      { name: "writes given up", value: gaveUp, unit: "", note: "target 0" },
      { name: "lost writes", value: lost, unit: "", note: "target 0 (acknowledged, then missing)" },
      { name: "duplicate masks", value: Number(dupMasks[0].n), unit: "", note: "target 0" },
      {
        name: "jobs lost",
        value: jobIds.length - jobsDone,
        unit: "",
        note: `target 0; ${jobsDone}/${jobIds.length} succeeded, ${retried} retried after the kill, ${jobsTwice} ran twice (at-least-once: killed after its work, before completing)`,
      },
      {
        name: "server errors logged",
        value: [...serverErrors.values()].reduce((a, b) => a + b, 0),
        unit: "",
        note: [...serverErrors]
          .map(([m, n]) => `${n}× ${m}`)
          .join("; ")
          .slice(0, 200),
      },
      {
        name: "latency p50",
        value: pct(
          samples.map((s) => s.ms),
          50,
        ),
        unit: "ms",
      },
      {
        name: "latency p95",
        value: pct(
          samples.map((s) => s.ms),
          95,
        ),
        unit: "ms",
        note: `submit p95 ${pct(
          samples.filter((s) => s.op === "submit").map((s) => s.ms),
          95,
        ).toFixed(0)} ms, vote p95 ${pct(
          samples.filter((s) => s.op === "vote").map((s) => s.ms),
          95,
        ).toFixed(0)} ms`,
      },
      {
        name: "latency p99",
        value: pct(
          samples.map((s) => s.ms),
          99,
        ),
        unit: "ms",
      },
      { name: "web RSS before", value: rssBefore, unit: "MiB" },
      {
        name: "web RSS after",
        value: rssAfter,
        unit: "MiB",
        note: `peak ${Math.max(...rss.map((p) => p.y)).toFixed(0)} MiB`,
      },
      {
        name: "web RSS trend, second half",
        value: slopePerMin(secondHalf),
        unit: "MiB/min",
        note: `${secondHalf.length} samples, 2 s apart; by thirds ${thirds.map((y) => y.toFixed(0)).join(" → ")} MiB`,
      },
    ];
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await pgServer.discard();
    rmSync(dir, { recursive: true, force: true });
  }
}
