// The lead dashboard's reads. Every figure is an aggregate computed by PostgreSQL; Node only
// shapes the few rows that come back. What would scan every vote, truth or candidate (agreement,
// win rates, the series, MD vote sums and medians, blind-vote figures) reads the running totals
// the protocol keeps ("DashboardTotal", lib/protocol/mutations/dashboard-totals.ts), so a project
// whose 120k images were all voted on costs about what a small one does.
import "server-only";
import { db } from "../db/client";
import { AppError } from "../errors/app-error";
import { requireProjectRole } from "../auth/authorize";
import type { Actor } from "../auth/types";
import { jobCounts, liveWorkers } from "../jobs/queries";
import { qualityGateStatus, stage1TrainingBlockers } from "../protocol/queries";
import { PROJECT_WIDE } from "../protocol/dashboard-totals-keys";
import { loadMask } from "../masks/queries";
import { cumulativeSeries, labourFromTotals } from "./labour";
import { stageStatus } from "./next-step";
import { toRunRow, type RunSqlRow } from "./run-rows";
import { kappaFromAggregate, mergeAggregates, share, winRates, type AgreementAggregate } from "./stats";
import { meanChosenDice, type ChosenMask } from "./chosen-dice";
import { imageLabel, shortIds } from "../labels/short-id";
import {
  imageStates,
  type AgreementByStage,
  type Dashboard,
  type DiceReport,
  type DisputedRow,
  type HumanVsMachine,
  type ImageStateName,
  type BlindStats,
  type JobRow,
  type LiveStatus,
  type MdRow,
  type Progress,
  type RunRow,
  type StageName,
  type WinRate,
  type WorkerRow,
} from "./types";

type Timed = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

/** Times each query; `sequential` runs them one at a time (the benchmark's per-query view). */
function stopwatch(sequential = false) {
  const timings: Record<string, number> = {};
  let chain: Promise<unknown> = Promise.resolve();
  const run = async <T>(name: string, fn: () => Promise<T>) => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[name] = Math.round((performance.now() - t0) * 100) / 100;
    }
  };
  const timed: Timed = (name, fn) => {
    if (!sequential) return run(name, fn);
    const p = chain.then(() => run(name, fn));
    chain = p.catch(() => undefined);
    return p;
  };
  return { timings, timed };
}

export type LoadOptions = { sequential?: boolean };

/** The project behind a slug, for its leads (and admins): NOT_FOUND for strangers, FORBIDDEN for other members. */
export async function dashboardProject(actor: Actor, slug: string) {
  const project = await db().project.findUnique({ where: { slug }, select: { id: true } });
  if (!project) throw new AppError("NOT_FOUND", "Project not found");
  await requireProjectRole(actor, project.id, ["LEAD"]);
  return project.id;
}

export async function loadDashboardBySlug(actor: Actor, slug: string): Promise<Dashboard> {
  return buildDashboard(await dashboardProject(actor, slug));
}

export async function loadDashboard(actor: Actor, projectId: string, opts: LoadOptions = {}): Promise<Dashboard> {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  return buildDashboard(projectId, opts);
}

async function buildDashboard(projectId: string, opts: LoadOptions = {}): Promise<Dashboard> {
  const { timings, timed } = stopwatch(opts.sequential);
  const t0 = performance.now();
  const project = await timed("project", () =>
    db().project.findUnique({
      where: { id: projectId },
      select: {
        id: true,
        slug: true,
        name: true,
        currentStage: true,
        votesPerImage: true,
        completedAt: true,
        s1Size: true,
        s1Fraction: true,
      },
    }),
  );
  if (!project) throw new AppError("NOT_FOUND", "Project not found");
  const [round, progress, hasCovid, mds, drawing, days, agreement, disputed, runs, wins, counts, jobs, workers, blind] =
    await Promise.all([
      timed("round", () => latestRound(projectId)),
      timed("progress", () => progressOf(projectId)),
      timed("hasCovid", () => hasCovidImages(projectId)),
      timed("mds", () => mdRows(projectId)),
      timed("drawing", () => drawingStats(projectId)),
      timed("series", () => dailyTotals(projectId)),
      timed("agreement", () => agreementAggregates(projectId)),
      timed("disputed", () => disputedRows(projectId)),
      timed("runs", () => runRows(projectId, null)),
      timed("winRates", () => winCounts(projectId)),
      timed("jobCounts", () => jobCounts(projectId)),
      timed("jobs", () => activeJobs(projectId)),
      timed("workers", () => workerRows()),
      timed("blind", () => blindStats(projectId)),
    ]);
  const blockers =
    round?.status === "DRAWING" && round.stage === "STAGE_I"
      ? await timed("blockers", () => stage1TrainingBlockers(db(), projectId, round.id))
      : [];

  const series = cumulativeSeries(days.map((d) => ({ ...d, mdMs: d.drawMs + d.voteMs + d.confirmMs })));
  const sum = (f: (d: (typeof days)[number]) => number) => days.reduce((s, d) => s + f(d), 0);
  const labour = labourFromTotals({
    drawMs: sum((d) => d.drawMs),
    voteMs: sum((d) => d.voteMs),
    confirmMs: sum((d) => d.confirmMs),
    acceptedMasks: sum((d) => d.acceptedMasks),
    medianDrawMs: drawing.medianMs,
    drawingsTimed: drawing.timed,
  });
  const stage = stageStatus({
    round: round ? { id: round.id, number: round.number, stage: round.stage, status: round.status } : null,
    byState: progress.byState,
    inS1: progress.inS1,
    hasCovid,
    subsetSized: project.s1Size !== null || project.s1Fraction !== null,
    stage1Blockers: blockers,
    runs: round
      ? { total: round.runs, succeeded: round.succeeded, running: round.running, failed: round.failed }
      : { total: 0, succeeded: 0, running: 0, failed: 0 },
    pendingPredictJobs: round?.pendingPredict ?? 0,
    acceptedMasks: labour.acceptedMasks,
  });
  const latest = round ? runs.filter((r) => r.round === round.number) : [];
  timings.total = Math.round((performance.now() - t0) * 100) / 100;
  return {
    project: {
      id: project.id,
      slug: project.slug,
      name: project.name,
      currentStage: project.currentStage,
      votesPerImage: project.votesPerImage,
      completedAt: project.completedAt?.toISOString() ?? null,
    },
    generatedAt: new Date().toISOString(),
    progress,
    stage,
    mds,
    labour,
    series,
    agreement: agreementByStage(agreement),
    disputed: { total: progress.byState.DISPUTED, rows: disputed },
    runs,
    winRates: winRateRows(wins),
    humanVsMachine: humanVsMachine(agreement, wins),
    live: { at: new Date().toISOString(), runs: latest, jobCounts: counts, jobs, workers },
    blind,
    timings,
  };
}

/** What the dashboard polls: the current round's runs with their progress, jobs and workers. */
export async function liveStatus(actor: Actor, projectId: string): Promise<LiveStatus> {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const round = await db().round.findFirst({ where: { projectId }, orderBy: { number: "desc" }, select: { id: true } });
  const [runs, counts, jobs, workers] = await Promise.all([
    round ? runRows(projectId, round.id) : Promise.resolve([]),
    jobCounts(projectId),
    activeJobs(projectId),
    workerRows(),
  ]);
  return { at: new Date().toISOString(), runs, jobCounts: counts, jobs, workers };
}

async function latestRound(projectId: string) {
  const rows = await db().$queryRaw<
    {
      id: string;
      number: number;
      stage: StageName;
      status: string;
      runs: number;
      succeeded: number;
      running: number;
      failed: number;
      pendingPredict: number;
    }[]
  >`
    SELECT r.id, r.number, r.stage::text AS stage, r.status::text AS status,
      count(m.id)::int AS runs,
      (count(m.id) FILTER (WHERE m.status = 'SUCCEEDED'))::int AS succeeded,
      (count(m.id) FILTER (WHERE m.status = 'RUNNING'))::int AS running,
      (count(m.id) FILTER (WHERE m.status = 'FAILED'))::int AS failed,
      (SELECT count(*) FROM "Job" j WHERE j."projectId" = r."projectId" AND j.name = 'predict' AND j.status IN ('QUEUED', 'RUNNING'))::int AS "pendingPredict"
    FROM (SELECT * FROM "Round" WHERE "projectId" = ${projectId}::uuid ORDER BY number DESC LIMIT 1) r
    LEFT JOIN "ModelRun" m ON m."roundId" = r.id
    GROUP BY r.id, r.number, r.stage, r.status, r."projectId"`;
  return rows[0] ?? null;
}

async function progressOf(projectId: string): Promise<Progress> {
  const rows = await db().$queryRaw<{ state: ImageStateName; inS1: boolean; n: number }[]>`
    SELECT state::text AS state, "inS1", count(*)::int AS n FROM "Image"
    WHERE "projectId" = ${projectId}::uuid GROUP BY state, "inS1"`;
  const byState = Object.fromEntries(imageStates.map((s) => [s, 0])) as Record<ImageStateName, number>;
  let inS1 = 0;
  for (const r of rows) {
    byState[r.state] += r.n;
    if (r.inS1) inS1 += r.n;
  }
  const total = Object.values(byState).reduce((s, n) => s + n, 0);
  const pastPrediction =
    byState.AWAITING_VOTE +
    byState.AWAITING_REDRAW +
    byState.AWAITING_CONFIRMATION +
    byState.DISPUTED +
    byState.ACCEPTED;
  return {
    total,
    byState,
    inS1,
    funnel: [
      { label: "Imported", value: total },
      { label: "In the protocol", value: total - byState.UNANNOTATED },
      { label: "Past drawing and prediction", value: pastPrediction },
      { label: "Accepted", value: byState.ACCEPTED },
    ],
  };
}

async function hasCovidImages(projectId: string) {
  const rows = await db().$queryRaw<{ yes: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM "Image" WHERE "projectId" = ${projectId}::uuid AND label = 'COVID') AS yes`;
  return rows[0].yes;
}

async function mdRows(projectId: string): Promise<MdRow[]> {
  const rows = await db().$queryRaw<(Omit<MdRow, "lastActive"> & { lastActive: Date | null })[]>`
    WITH draw AS (
      SELECT "authorId" AS id, count(*)::int AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY "elapsedMs") AS med,
        COALESCE(sum("elapsedMs"), 0)::float8 AS ms, max("createdAt") AS last
      FROM "Mask" WHERE "projectId" = ${projectId}::uuid AND kind IN ('MANUAL', 'REDRAW') AND "authorId" IS NOT NULL
      GROUP BY "authorId"
    ), vote AS (
      SELECT key::uuid AS id, sum(n)::int AS n, sum(x)::float8 AS ms, max(last) AS last
      FROM "DashboardTotal" WHERE "projectId" = ${projectId}::uuid AND "roundId" = ${PROJECT_WIDE}::uuid AND scope = 'voter'
      GROUP BY key HAVING sum(n) <> 0
    ), vote_ms AS (
      -- Each voter's votes per duration (ms): as many rows as distinct durations, not votes.
      SELECT split_part(key, ':', 1)::uuid AS id, split_part(key, ':', 2)::int AS ms, sum(n) AS c
      FROM "DashboardTotal" WHERE "projectId" = ${projectId}::uuid AND "roundId" = ${PROJECT_WIDE}::uuid AND scope = 'voter-ms'
      GROUP BY key HAVING sum(n) > 0
    ), vote_cum AS (
      SELECT id, ms, sum(c) OVER (PARTITION BY id ORDER BY ms) AS upto, sum(c) OVER (PARTITION BY id) AS total FROM vote_ms
    ), vote_median AS (
      -- percentile_cont(0.5): the mean of the values at positions ⌊(n−1)/2⌋ and ⌈(n−1)/2⌉ (from 0).
      SELECT id, (min(ms) FILTER (WHERE upto > floor((total - 1) / 2.0)) + min(ms) FILTER (WHERE upto > ceil((total - 1) / 2.0)))::float8 / 2 AS med
      FROM vote_cum GROUP BY id
    ), conf AS (
      SELECT "assigneeId" AS id, count(*)::int AS n, COALESCE(sum("elapsedMs"), 0)::float8 AS ms, max("doneAt") AS last
      FROM "Task" WHERE "projectId" = ${projectId}::uuid AND kind = 'CONFIRM' AND status = 'DONE' AND "assigneeId" IS NOT NULL
      GROUP BY "assigneeId"
    ), people AS (
      SELECT "userId" AS id FROM "Membership" WHERE "projectId" = ${projectId}::uuid AND 'MD' = ANY(roles)
      UNION SELECT id FROM draw UNION SELECT id FROM vote UNION SELECT id FROM conf
    )
    SELECT u.id AS "userId", u.name, u.email,
      COALESCE(d.n, 0) AS "masksDrawn", COALESCE(v.n, 0) AS "votesCast", COALESCE(c.n, 0) AS confirmations,
      d.med / 1000.0 AS "medianDrawSeconds", vm.med / 1000.0 AS "medianVoteSeconds",
      COALESCE(d.ms, 0) / 1000.0 AS "drawSeconds", COALESCE(v.ms, 0) / 1000.0 AS "voteSeconds", COALESCE(c.ms, 0) / 1000.0 AS "confirmSeconds",
      GREATEST(d.last, v.last, c.last) AS "lastActive"
    FROM people p JOIN "User" u ON u.id = p.id
    LEFT JOIN draw d ON d.id = p.id LEFT JOIN vote v ON v.id = p.id LEFT JOIN vote_median vm ON vm.id = p.id LEFT JOIN conf c ON c.id = p.id
    ORDER BY u.name, u.email`;
  return rows.map((r) => ({ ...r, lastActive: r.lastActive?.toISOString() ?? null }));
}

async function drawingStats(projectId: string) {
  const rows = await db().$queryRaw<{ medianMs: number | null; timed: number }[]>`
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY "elapsedMs") AS "medianMs", count("elapsedMs")::int AS timed
    FROM "Mask" WHERE "projectId" = ${projectId}::uuid AND kind IN ('MANUAL', 'REDRAW')`;
  return rows[0];
}

type DayRow = {
  day: string;
  acceptedMasks: number;
  acceptedByLabel: number;
  masksDrawn: number;
  votes: number;
  drawMs: number;
  voteMs: number;
  confirmMs: number;
};

/**
 * Per UTC day: masks accepted (current ground truths), masks drawn, votes, MD time by kind.
 * Accepted truths and votes come from the running totals; drawings and confirmations (a few per
 * image at most) are counted here. date_bin from a UTC midnight costs much less per row than
 * date_trunc with a time zone.
 */
async function dailyTotals(projectId: string): Promise<DayRow[]> {
  return db().$queryRaw<DayRow[]>`
    WITH d AS (
      SELECT (key || ' 00:00:00+00')::timestamptz AS day,
        COALESCE(sum(n) FILTER (WHERE scope = 'accepted-day'), 0) AS am, COALESCE(sum(m) FILTER (WHERE scope = 'accepted-day'), 0) AS al,
        0::bigint AS drawn, COALESCE(sum(n) FILTER (WHERE scope = 'votes-day'), 0) AS votes, 0::float8 AS dms,
        COALESCE(sum(x) FILTER (WHERE scope = 'votes-day'), 0) AS vms, 0::float8 AS cms
      FROM "DashboardTotal" WHERE "projectId" = ${projectId}::uuid AND "roundId" = ${PROJECT_WIDE}::uuid AND scope IN ('accepted-day', 'votes-day')
      GROUP BY key HAVING sum(n) <> 0 OR sum(m) <> 0
      UNION ALL
      SELECT date_bin('1 day', "createdAt", TIMESTAMPTZ '2000-01-01 00:00:00+00'), 0, 0, count(*), 0, COALESCE(sum("elapsedMs"), 0), 0, 0
      FROM "Mask" WHERE "projectId" = ${projectId}::uuid AND kind IN ('MANUAL', 'REDRAW') GROUP BY 1
      UNION ALL
      SELECT date_bin('1 day', "doneAt", TIMESTAMPTZ '2000-01-01 00:00:00+00'), 0, 0, 0, 0, 0, 0, COALESCE(sum("elapsedMs"), 0)
      FROM "Task" WHERE "projectId" = ${projectId}::uuid AND kind = 'CONFIRM' AND status = 'DONE' AND "doneAt" IS NOT NULL GROUP BY 1
    )
    SELECT to_char(day AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, sum(am)::int AS "acceptedMasks", sum(al)::int AS "acceptedByLabel",
      sum(drawn)::int AS "masksDrawn", sum(votes)::int AS votes, sum(dms)::float8 AS "drawMs", sum(vms)::float8 AS "voteMs", sum(cms)::float8 AS "confirmMs"
    FROM d GROUP BY day ORDER BY day`;
}

type AgreementRow = {
  kind: "cat" | "sum" | "credit";
  stage: StageName;
  cat: string | null;
  a: number;
  b: number;
  p: number;
};

/**
 * Per stage, from the running totals (lib/protocol/mutations/dashboard-totals.ts): for every
 * category (the chosen mask's source: manual, redraw, a network arch/encoder, or none) all votes
 * (a) and those on items with ≥2 votes (b); per stage the item count (a), unanimous items (b) and
 * Σ P_i (p) over items with ≥2 votes, from each bucket's Σ(Σ n_c² − n) over n(n − 1); and the
 * votes that stand for each category (credit, merged duplicates included).
 */
async function agreementAggregates(projectId: string) {
  const rows = await db().$queryRaw<AgreementRow[]>`
    WITH t AS (
      SELECT r.stage, t.scope, t.key, sum(t.n) AS n, sum(t.m) AS m, sum(t.x) AS x
      FROM "DashboardTotal" t JOIN "Round" r ON r.id = t."roundId"
      WHERE t."projectId" = ${projectId}::uuid AND t.scope IN ('cat', 'items', 'credit')
      GROUP BY r.stage, t.scope, t.key
    )
    SELECT 'cat' AS kind, stage::text AS stage, key AS cat, m::int AS a, n::int AS b, 0::float8 AS p
    FROM t WHERE scope = 'cat' AND m <> 0
    UNION ALL
    SELECT 'sum', stage::text, NULL, sum(n)::int, sum(m)::int, sum(x / (key::int * (key::int - 1)))::float8
    FROM t WHERE scope = 'items' AND n <> 0 GROUP BY stage
    UNION ALL
    SELECT 'credit', stage::text, key, n::int, 0, 0 FROM t WHERE scope = 'credit' AND n <> 0`;
  const byStage = new Map<StageName, { agg: AgreementAggregate; allVotes: Record<string, number> }>();
  const entry = (s: StageName) => {
    if (!byStage.has(s))
      byStage.set(s, { agg: { items: 0, ratings: 0, sumP: 0, unanimous: 0, categoryTotals: {} }, allVotes: {} });
    return byStage.get(s)!;
  };
  for (const r of rows) {
    const e = entry(r.stage);
    if (r.kind === "credit") e.allVotes[r.cat!] = r.a;
    else if (r.kind === "cat") {
      if (r.b) {
        e.agg.categoryTotals[r.cat!] = r.b;
        e.agg.ratings += r.b;
      }
    } else {
      e.agg.items = r.a;
      e.agg.unanimous = r.b;
      e.agg.sumP = r.p;
    }
  }
  return byStage;
}

function agreementByStage(byStage: Awaited<ReturnType<typeof agreementAggregates>>): AgreementByStage[] {
  const out: AgreementByStage[] = [];
  for (const s of ["STAGE_I", "STAGE_II"] as const) {
    const e = byStage.get(s);
    if (e) out.push({ stage: s, stats: kappaFromAggregate(e.agg), categories: e.agg.categoryTotals });
  }
  const all = mergeAggregates(...[...byStage.values()].map((e) => e.agg));
  out.push({ stage: "ALL", stats: kappaFromAggregate(all), categories: all.categoryTotals });
  return out;
}

/** The first 50 disputed images in import order (the state index serves them without a sort). */
async function disputedRows(projectId: string): Promise<DisputedRow[]> {
  const rows = await db().$queryRaw<
    { imageId: string; round: number | null; votes: number; candidates: number; noneVotes: number }[]
  >`
    WITH last AS (SELECT id, number FROM "Round" WHERE "projectId" = ${projectId}::uuid ORDER BY number DESC LIMIT 1),
    pick AS (
      SELECT id FROM "Image" WHERE "projectId" = ${projectId}::uuid AND state = 'DISPUTED' ORDER BY id LIMIT 50
    )
    SELECT i.id AS "imageId", (SELECT number FROM last) AS round,
      count(v.id)::int AS votes, count(DISTINCT v."candidateId")::int AS candidates, (count(v.id) FILTER (WHERE v."noneAcceptable"))::int AS "noneVotes"
    FROM pick i
    LEFT JOIN "Vote" v ON v."imageId" = i.id AND v."roundId" = (SELECT id FROM last)
    GROUP BY i.id
    ORDER BY i.id`;
  const tails = shortIds(rows.map((r) => r.imageId));
  return rows.map(({ candidates, ...r }) => ({
    ...r,
    name: imageLabel(r.imageId, tails.get(r.imageId)),
    distinctChoices: candidates + (r.noneVotes > 0 ? 1 : 0),
  }));
}

async function runRows(projectId: string, roundId: string | null): Promise<RunRow[]> {
  const rows = await db().$queryRaw<RunSqlRow[]>`
    SELECT m.id, r.number, r.stage::text AS stage, m.arch, m.encoder, m.fold, m.status::text AS status, m.progress,
      m."startedAt", m."finishedAt",
      m.metrics #> '{final,loss}' AS "valLoss", m.metrics -> 'selected_epoch' AS "selectedEpoch",
      (m.metrics #> '{final,pixel}') - 'curves' AS pixel, (m.metrics #> '{final,image}') - 'curves' AS image,
      (SELECT jsonb_agg(jsonb_build_object('epoch', e -> 'epoch', 'train', e -> 'train_loss', 'val', e #> '{val,loss}')) FROM jsonb_array_elements(
         CASE WHEN jsonb_typeof(m.metrics -> 'epochs') = 'array' THEN m.metrics -> 'epochs' ELSE '[]'::jsonb END) e) AS curve
    FROM "ModelRun" m LEFT JOIN "Round" r ON r.id = m."roundId"
    WHERE m."projectId" = ${projectId}::uuid AND (${roundId}::uuid IS NULL OR m."roundId" = ${roundId}::uuid)
    ORDER BY r.number DESC NULLS LAST, m.arch, m.encoder, m.fold NULLS FIRST
    LIMIT 300`;
  return rows.map(toRunRow);
}

type WinSqlRow = { stage: StageName; source: string; wins: number; appearances: number };

/**
 * For every consensus decision: which sources had a shown candidate on that image in that
 * round (appearances), and which won (every source of a merged position wins with it); kept
 * as running totals per round and source when the truth is accepted.
 */
async function winCounts(projectId: string): Promise<WinSqlRow[]> {
  return db().$queryRaw<WinSqlRow[]>`
    SELECT r.stage::text AS stage, t.key AS source, sum(t.m)::int AS wins, sum(t.n)::int AS appearances
    FROM "DashboardTotal" t JOIN "Round" r ON r.id = t."roundId"
    WHERE t."projectId" = ${projectId}::uuid AND t.scope = 'wins'
    GROUP BY r.stage, t.key HAVING sum(t.n) <> 0`;
}

function winRateRows(rows: WinSqlRow[]): WinRate[] {
  const all = new Map<string, { source: string; wins: number; appearances: number }>();
  for (const r of rows) {
    const a = all.get(r.source) ?? { source: r.source, wins: 0, appearances: 0 };
    a.wins += r.wins;
    a.appearances += r.appearances;
    all.set(r.source, a);
  }
  return [
    ...(["STAGE_I", "STAGE_II"] as const).flatMap((stage) =>
      winRates(rows.filter((r) => r.stage === stage)).map((r) => ({ ...r, stage })),
    ),
    ...winRates([...all.values()]).map((r) => ({ ...r, stage: "ALL" as const })),
  ];
}

function humanVsMachine(agreement: Awaited<ReturnType<typeof agreementAggregates>>, wins: WinSqlRow[]): HumanVsMachine {
  const votes = agreement.get("STAGE_I")?.allVotes ?? {};
  const votesManual = votes.manual ?? 0;
  const votesMachine = Object.entries(votes)
    .filter(([k]) => k.startsWith("machine:"))
    .reduce((s, [, n]) => s + n, 0);
  const s1 = wins.filter((w) => w.stage === "STAGE_I");
  return {
    votesManual,
    votesMachine,
    machineShare: share(votesMachine, votesManual + votesMachine),
    consensusManual: s1.filter((w) => w.source === "manual").reduce((s, w) => s + w.wins, 0),
    consensusMachine: s1.filter((w) => w.source !== "manual" && w.source !== "redraw").reduce((s, w) => s + w.wins, 0),
  };
}

const jobOrder: Record<string, number> = { RUNNING: 0, FAILED: 1, QUEUED: 2 };

async function activeJobs(projectId: string): Promise<JobRow[]> {
  const rows = await db().job.findMany({
    where: { projectId, status: { in: ["QUEUED", "RUNNING", "FAILED"] } },
    orderBy: { createdAt: "desc" },
    take: 30,
    select: {
      id: true,
      name: true,
      status: true,
      attempts: true,
      maxAttempts: true,
      lastError: true,
      createdAt: true,
      progress: true,
    },
  });
  return rows
    .map((j) => ({ ...j, lastError: j.lastError?.slice(0, 300) ?? null, createdAt: j.createdAt.toISOString() }))
    .sort((a, b) => jobOrder[a.status] - jobOrder[b.status]);
}

async function workerRows(): Promise<WorkerRow[]> {
  const rows = await liveWorkers(2 * 60_000);
  return rows.map((w) => ({
    id: w.id,
    hostname: w.hostname,
    gpu: w.gpu,
    jobNames: w.jobNames,
    heartbeatAt: w.heartbeatAt.toISOString(),
    startedAt: w.startedAt.toISOString(),
  }));
}

/**
 * Dice between the masks different voters chose for the same image, over each round's
 * `limitPerRound` most recently voted images where two or more votes picked a candidate
 * (masks load from storage, so this is kept off the first view and sampled).
 */
export async function chosenMaskDice(actor: Actor, projectId: string, limitPerRound = 200): Promise<DiceReport> {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const rows = await db().$queryRaw<{ stage: StageName; total: number; chosen: ChosenMask[] }[]>`
    WITH items AS (
      SELECT v."roundId", v."imageId", max(v."createdAt") AS last
      FROM "Vote" v JOIN "Round" r ON r.id = v."roundId"
      WHERE r."projectId" = ${projectId}::uuid AND v."candidateId" IS NOT NULL
      GROUP BY v."roundId", v."imageId" HAVING count(*) >= 2
    ), picked AS (
      SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY "roundId" ORDER BY last DESC) AS k FROM items) ranked
      WHERE k <= ${limitPerRound}
    )
    SELECT r.stage::text AS stage, (SELECT count(*) FROM items)::int AS total,
      json_agg(json_build_object('mask', m.id, 'key', m."storageKey", 'sha', m.sha256) ORDER BY v.id) AS chosen
    FROM picked p JOIN "Round" r ON r.id = p."roundId"
    JOIN "Vote" v ON v."roundId" = p."roundId" AND v."imageId" = p."imageId" AND v."candidateId" IS NOT NULL
    JOIN "Candidate" c ON c.id = v."candidateId"
    JOIN "Mask" m ON m.id = c."maskId"
    GROUP BY p."roundId", p."imageId", r.stage`;
  const byStage = await meanChosenDice(rows, async (k) => (await loadMask(k)).mask);
  return { byStage, eligibleImages: rows[0]?.total ?? 0, sampledImages: rows.length };
}

/**
 * Blind-by-content figures for the lead: votes cast on one's own drawing (no other MD could),
 * candidates withheld or merged, images that skipped the vote, empty masks on COVID-19
 * images waiting for or given a second MD's confirmation, style normalisation, the gate.
 */
export async function blindStats(projectId: string): Promise<BlindStats> {
  const [r] = await db().$queryRaw<Omit<BlindStats, "gate">[]>`
    WITH t AS (
      -- A round's candidate figures are running totals once its vote opens; before, they are counted here.
      SELECT t.scope, t.key, sum(t.n) AS n, sum(t.x) AS x FROM "DashboardTotal" t
      WHERE t."projectId" = ${projectId}::uuid AND t.scope IN ('own', 'cands') GROUP BY t.scope, t.key
      UNION ALL
      SELECT 'cands', c.key, c.n, c.x FROM "Round" r CROSS JOIN LATERAL dashboard_round_candidates(r."projectId", r.id) c
      WHERE r."projectId" = ${projectId}::uuid AND r.status NOT IN ('VOTING', 'CLOSED')
    ), c AS (SELECT key, sum(n) AS n, sum(x) AS x FROM t WHERE scope = 'cands' GROUP BY key)
    SELECT
      (SELECT COALESCE(sum(n), 0) FROM t WHERE scope = 'own')::int AS "ownDrawingVotes",
      COALESCE((SELECT n FROM c WHERE key = 'withheld-empty'), 0)::int AS "withheldEmpty",
      COALESCE((SELECT n FROM c WHERE key = 'withheld-small'), 0)::int AS "withheldSmall",
      COALESCE((SELECT n FROM c WHERE key = 'merged'), 0)::int AS "mergedCandidates",
      (SELECT x / NULLIF(n, 0) FROM c WHERE key = 'normalised')::float8 AS "meanNormalisedDice",
      (SELECT count(*) FROM "GroundTruth" g WHERE g."projectId" = ${projectId}::uuid AND g."isCurrent" AND g.decision = 'UNCONTESTED')::int AS "acceptedWithoutVote",
      COALESCE((SELECT n FROM c WHERE key = 'sent-to-drawing'), 0)::int AS "sentToDrawing",
      (SELECT count(*) FROM "Image" i JOIN "Task" t ON t."imageId" = i.id AND t.kind = 'CONFIRM' AND t.status <> 'DONE'
         JOIN "Mask" m ON m.id = t."startMaskId"
       WHERE i."projectId" = ${projectId}::uuid AND i.state = 'AWAITING_CONFIRMATION' AND m.area = 0 AND i.label = 'COVID')::int AS "emptyAwaitingConfirmation",
      (SELECT count(*) FROM "GroundTruth" g JOIN "Mask" m ON m.id = g."maskId" JOIN "Image" i ON i.id = g."imageId"
       WHERE g."projectId" = ${projectId}::uuid AND g."isCurrent" AND m.area = 0 AND i.label = 'COVID' AND g.decision = 'CONFIRMED')::int AS "emptyConfirmed"`;
  return { ...r, gate: await qualityGateStatus(projectId) };
}
