// Voting under load: 50 concurrent simulated voters on a 120k-image project (20k images in an
// open Stage-II vote with 3 candidates each). Times the server's work for one step of an MD's
// loop — submit the vote, then get the next ballot — through the domain functions the route
// handlers call, on a fresh embedded PostgreSQL.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pgCpuMs } from "./pg-cpu";

type Row = { name: string; value: number; unit: string; note?: string };

// BENCH_IMAGES, BENCH_VOTING and BENCH_VOTERS scale it up (e.g. 1,000,000 / 100,000 / 500 for
// a multi-centre consortium); the pool stays at most 100 connections, as a server's would.
const IMAGES = Number(process.env.BENCH_IMAGES ?? 120_000);
const VOTING = Number(process.env.BENCH_VOTING ?? 20_000);
const VOTERS = Number(process.env.BENCH_VOTERS ?? 50);
const STEPS = Number(process.env.BENCH_STEPS ?? 30);
const WARMUP = 2;
// An MD looks at the candidates before choosing; real votes take 5–15 s, this is far faster.
const THINK_MS = Number(process.env.BENCH_THINK_MS ?? 1000);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

export async function run(): Promise<Row[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tandem-bench-voting-"));
  const { startEmbeddedPostgres } = await import("../lib/db/embedded");
  const { migrate } = await import("../lib/db/migrate");
  const pgServer = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), database: "tandem_bench" });
  process.env.DATABASE_URL = pgServer.url;
  process.env.DB_POOL_MAX = String(Math.min(VOTERS + 10, 100));
  try {
    await migrate(pgServer.url);
    const { db, closeDb } = await import("../lib/db/client");
    const { createUser } = await import("../lib/auth/mutations");
    const { createProject, addMember } = await import("../lib/projects/mutations");
    const { castVote, nextBallot } = await import("../lib/voting/mutations");

    const admin = await createUser({ email: "bench-admin@tandem.local", name: "admin", isAdmin: true });
    const adminActor = { userId: admin.id, isAdmin: true };
    const project = await createProject(adminActor, { name: "Voting bench", slug: "voting-bench" });
    const voters = [];
    for (let i = 0; i < VOTERS; i++) {
      const u = await createUser({ email: `bench-md${i}@tandem.local`, name: `MD ${i}` });
      await addMember(adminActor, project.id, { email: u.email, roles: ["MD"] });
      voters.push({ userId: u.id, isAdmin: false });
    }
    const t0 = performance.now();
    const round = await db().round.create({
      data: { projectId: project.id, number: 2, stage: "STAGE_II", status: "VOTING" },
    });
    await db().$executeRawUnsafe(
      `
      INSERT INTO "Image" (id, "projectId", "originalName", "sourceFormat", sha256, "pixelSha256", "storageKey", "originalKey", "thumbKey", width, height, "bitDepth", label, state, "createdAt")
      SELECT gen_random_uuid(), $1::uuid, 'bench-' || g, 'PNG', md5(g::text) || md5('s' || g), md5('p' || g), 'bench/w', 'bench/o', 'bench/t', 256, 256, 8,
             CASE WHEN g <= $2 THEN 'COVID'::"ImageLabel" ELSE 'CONTROL'::"ImageLabel" END,
             CASE WHEN g <= $2 THEN 'AWAITING_VOTE'::"ImageState" ELSE 'ACCEPTED'::"ImageState" END, now()
      FROM generate_series(1, $3) g`,
      project.id,
      VOTING,
      IMAGES,
    );
    await db().$executeRawUnsafe(
      `
      INSERT INTO "Mask" (id, "projectId", "imageId", kind, "storageKey", sha256, area, width, height, "roundId", "createdAt")
      SELECT gen_random_uuid(), i."projectId", i.id, 'MACHINE', 'bench/m', md5(i.id::text || k), 100, 256, 256, $2::uuid, now()
      FROM "Image" i CROSS JOIN generate_series(1, 3) k WHERE i."projectId" = $1::uuid AND i.state = 'AWAITING_VOTE'`,
      project.id,
      round.id,
    );
    await db().$executeRawUnsafe(
      `
      INSERT INTO "Candidate" (id, "roundId", "imageId", "maskId", "createdAt")
      SELECT gen_random_uuid(), $2::uuid, m."imageId", m.id, now() FROM "Mask" m WHERE m."projectId" = $1::uuid`,
      project.id,
      round.id,
    );
    await db().$executeRawUnsafe(
      `
      INSERT INTO "GroundTruth" (id, "projectId", "imageId", decision, "sourceKind", "isCurrent", "acceptedAt")
      SELECT gen_random_uuid(), "projectId", id, 'LABEL', 'EMPTY', TRUE, now() FROM "Image" WHERE "projectId" = $1::uuid AND state = 'ACCEPTED'`,
      project.id,
    );
    await db().$executeRawUnsafe("VACUUM ANALYZE");
    // The bulk load's dirty pages are written now, not by a checkpoint during the timed phase:
    // a running server's steady state does not include a bulk load that just finished.
    await db().$executeRawUnsafe("CHECKPOINT");
    const seedS = (performance.now() - t0) / 1000;

    // Each voter: get a first ballot, then repeat "submit vote + get next ballot".
    // Warm-up, untimed: each voter votes twice, so every pooled connection has run the vote
    // path once (a new PostgreSQL backend spends ~0.5–1 s filling its catalog caches on its
    // first statements; a running server's pool is past that).
    const first = await Promise.all(
      voters.map(async (v) => {
        let b = await nextBallot(v, project.id);
        for (let w = 0; w < WARMUP && b; w++) {
          await castVote(v, b.ballotId, { choice: 1, durationMs: 5000, idempotencyKey: `bench-warm-${b.ballotId}` });
          b = await nextBallot(v, project.id);
        }
        return b;
      }),
    );
    const times: number[] = [];
    const voteTimes: number[] = [];
    let errors = 0;
    const wall0 = performance.now();
    const cpu0 = process.cpuUsage();
    const pg0 = pgCpuMs(pgServer.dataDir);
    await Promise.all(
      voters.map(async (v, i) => {
        let ballot = first[i];
        for (let s = 0; s < STEPS && ballot; s++) {
          await new Promise((r) => setTimeout(r, THINK_MS * (0.5 + Math.random())));
          const t = performance.now();
          try {
            await castVote(v, ballot.ballotId, {
              choice: 1 + (s % 3),
              durationMs: 5000,
              idempotencyKey: `bench-${ballot.ballotId}`,
            });
            const tv = performance.now();
            ballot = await nextBallot(v, project.id);
            times.push(performance.now() - t);
            voteTimes.push(tv - t);
          } catch {
            errors++;
            ballot = await nextBallot(v, project.id);
          }
        }
      }),
    );
    const wallS = (performance.now() - wall0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const pg1 = pgCpuMs(pgServer.dataDir);
    if (process.env.BENCH_PG_STATS) await printStatementStats(db());
    const votes = await db().vote.count({ where: { roundId: round.id } });
    const accepted = await db().groundTruth.count({ where: { projectId: project.id, decision: "CONSENSUS" } });
    await closeDb();
    const note = `${VOTERS} voters × ${STEPS} timed steps after ${WARMUP} untimed, ${THINK_MS} ms mean think time, ${IMAGES.toLocaleString()} images, ${VOTING.toLocaleString()} in the vote; seeded in ${seedS.toFixed(0)} s`;
    return [
      { name: "vote + next ballot p50", value: pct(times, 50), unit: "ms", note },
      { name: "vote + next ballot p95", value: pct(times, 95), unit: "ms", note: "target ≤ 50 ms" },
      { name: "vote + next ballot p99", value: pct(times, 99), unit: "ms" },
      { name: "of which submit vote p50", value: pct(voteTimes, 50), unit: "ms" },
      { name: "throughput", value: times.length / wallS, unit: "votes/s" },
      {
        name: "Node CPU per step",
        value: (cpu.user + cpu.system) / 1000 / Math.max(1, times.length),
        unit: "ms",
        note: "vote + next ballot in this process (Prisma, pg driver, domain code); the server's capacity is about 1000 / this steps/s",
      },
      {
        name: "PostgreSQL CPU per step",
        value: pg0 === null || pg1 === null ? NaN : (pg1 - pg0) / Math.max(1, times.length),
        unit: "ms",
        note: "all server processes, from /proc (10 ms ticks); with Node's, the 2 cores' budget per step",
      },
      { name: "errors", value: errors, unit: "", note: "target 0" },
      {
        name: "votes counted = images accepted",
        value: votes === accepted && votes === VOTERS * (STEPS + WARMUP) ? 1 : 0,
        unit: "bool",
        note: `${votes} votes, ${accepted} accepted`,
      },
    ];
  } finally {
    await pgServer.discard();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** With TANDEM_PG_SETTINGS="shared_preload_libraries=pg_stat_statements": where the database time went. */
async function printStatementStats(client: { $queryRawUnsafe: <T>(q: string) => Promise<T> }) {
  await client.$queryRawUnsafe("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  const top = await client.$queryRawUnsafe<
    { calls: bigint; total: number; mean: number; max: number; plan: number; query: string }[]
  >(
    `SELECT calls, total_exec_time AS total, mean_exec_time AS mean, max_exec_time AS max, mean_plan_time AS plan, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query
     FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12`,
  );
  for (const t of top)
    console.error(
      `${Number(t.calls).toString().padStart(6)} calls  total ${t.total.toFixed(0).padStart(7)} ms  mean ${t.mean.toFixed(2).padStart(7)}  max ${t.max.toFixed(1).padStart(7)}  plan ${Number(
        t.plan ?? 0,
      )
        .toFixed(2)
        .padStart(6)}  ${t.query}`,
    );
}
