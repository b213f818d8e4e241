// Lead dashboard at the paper's scale: a 120k-image project (2,951 COVID-19 positive, 500 in
// Stage I, the rest in a Stage-II vote with 3 voters per image, 117k controls accepted by
// label) on a fresh embedded PostgreSQL. Times the first view's loader and each of its queries.
// The seed writes rows in bulk and then builds the dashboard's running totals from them with the
// same recount the migration's backfill uses (rebuildDashboardTotals).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadNote } from "./repeat";

type Row = { name: string; value: number; unit: string; note?: string };

const RUNS = 25;
// BENCH_STAGE2 (e.g. 119451): Stage-II images, the rest of the 120k being controls; 119,451
// puts every image of the project through a Stage-II vote (about 250k votes).
const STAGE2 = Number(process.env.BENCH_STAGE2 ?? 2451);
const SIZE = { s1: 500, stage2: STAGE2, unannotated: 49, controls: 120_000 - 500 - STAGE2 - 49, folds: 5 };

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] * 10) / 10;
};

export async function run(): Promise<Row[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tandem-bench-dashboard-"));
  const { startEmbeddedPostgres } = await import("../lib/db/embedded");
  const { migrate } = await import("../lib/db/migrate");
  const pgServer = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), database: "tandem_bench" });
  process.env.DATABASE_URL = pgServer.url;
  process.env.STORAGE_DIR = path.join(dir, "storage");
  delete process.env.STORAGE_DRIVER;
  try {
    await migrate(pgServer.url);
    const { db, closeDb } = await import("../lib/db/client");
    const { seedProtocolState } = await import("../tests/setup/seed-protocol-state");
    const { loadDashboard, liveStatus, chosenMaskDice } = await import("../lib/dashboard/queries");

    const loadAtStart = loadNote();
    const t0 = performance.now();
    const seeded = await seedProtocolState(SIZE);
    const seedMs = performance.now() - t0;
    await db().$executeRawUnsafe("VACUUM ANALYZE");
    const images = await db().image.count({ where: { projectId: seeded.projectId } });
    const votes = await db().vote.count();

    const lead = seeded.lead.actor;
    await loadDashboard(lead, seeded.projectId); // warm-up: connections, plans, JIT
    const totals: number[] = [];
    const perQuery: Record<string, number[]> = {};
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const d = await loadDashboard(lead, seeded.projectId);
      totals.push(performance.now() - t);
      for (const [k, v] of Object.entries(d.timings)) (perQuery[k] ??= []).push(v);
    }
    // Each query alone (one at a time): what it costs without the others competing for CPU.
    const alone: Record<string, number[]> = {};
    for (let i = 0; i < 7; i++) {
      const d = await loadDashboard(lead, seeded.projectId, { sequential: true });
      for (const [k, v] of Object.entries(d.timings)) (alone[k] ??= []).push(v);
    }
    const live: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      await liveStatus(lead, seeded.projectId);
      live.push(performance.now() - t);
    }
    let t = performance.now();
    const dice = await chosenMaskDice(lead, seeded.projectId);
    const diceCold = performance.now() - t;
    t = performance.now();
    await chosenMaskDice(lead, seeded.projectId);
    const diceWarm = performance.now() - t;
    await closeDb();

    return [
      {
        name: "seed 120k-image project",
        value: Math.round(seedMs),
        unit: "ms",
        note: `${images.toLocaleString("en")} images`,
      },
      {
        name: "dashboard first view p50",
        value: pct(totals, 50),
        unit: "ms",
        note: `${images.toLocaleString("en")} images, ${votes.toLocaleString("en")} votes, ${RUNS} runs`,
      },
      {
        name: "dashboard first view p95",
        value: pct(totals, 95),
        unit: "ms",
        note: `target ≤ 300 ms; ${RUNS} runs, range ${Math.round(Math.min(...totals))}–${Math.round(Math.max(...totals))} ms; ${loadAtStart} at start, ${loadNote()} at end`,
      },
      ...Object.entries(perQuery)
        .filter(([k]) => k !== "total")
        .sort((a, b) => pct(alone[b[0]], 50) - pct(alone[a[0]], 50))
        .map(([k, v]) => ({
          name: `query ${k} p50`,
          value: pct(alone[k], 50),
          unit: "ms",
          note: `alone (7 runs); ${pct(v, 50)} ms p50 inside the parallel first view`,
        })),
      { name: "live poll p50", value: pct(live, 50), unit: "ms", note: "runs, jobs, workers; 10 runs" },
      {
        name: "chosen-mask Dice (cold)",
        value: Math.round(diceCold * 10) / 10,
        unit: "ms",
        note: `${dice.sampledImages} of ${dice.eligibleImages} images sampled; loads masks from storage`,
      },
      {
        name: "chosen-mask Dice (warm)",
        value: Math.round(diceWarm * 10) / 10,
        unit: "ms",
        note: "pair Dice cached (masks are immutable)",
      },
    ];
  } finally {
    await pgServer.discard().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
