// The lead dashboard's running totals ("DashboardTotal"): changed here only, by the transitions
// that change what they count, in the same transaction (a vote, an accepted or superseded
// truth), and recounted from the raw rows by `dashboard_totals_recount` (the migration
// 20261205000000_dashboard_totals defines it; its comment lists every scope and column).
//
// Lock order: each statement upserts its rows sorted by key, a vote's statement and a truth's
// statements touch disjoint scopes, and a transaction writes its vote's totals before its
// truth's, so two transactions can wait on each other's rows but never in a cycle. A hot
// counter (today's votes, a round's categories) is spread over STRIPES rows by the image's id.
import "server-only";
import { Prisma } from "../../db/generated/client";
import { sqlTransaction, type SqlRunner } from "../../db/raw";
import { auditInsertSql } from "../../audit/mutations";
import { requireProjectRole } from "../../auth/authorize";
import type { Actor } from "../../auth/types";
import { PROJECT_WIDE } from "../dashboard-totals-keys";

/** The stripe an image's changes go to (its id's last byte, modulo 64). */
const stripe = (imageId: Prisma.Sql) => Prisma.sql`(get_byte(uuid_send(${imageId}), 15) % 64)::smallint`;
const day = (ts: string) => Prisma.raw(`to_char((${ts})::timestamptz(3) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`);
/** A mask's agreement category (its network for a machine mask) and its win-rate source (the architecture). */
const category = (m: string, mr: string) =>
  Prisma.raw(
    `COALESCE(CASE WHEN ${m}.kind = 'MACHINE' THEN 'machine:' || COALESCE(${mr}.arch || '/' || ${mr}.encoder, 'unknown') ELSE lower(${m}.kind::text) END, 'unknown')`,
  );
const source = (m: string, mr: string) =>
  Prisma.raw(`CASE WHEN ${m}.kind = 'MACHINE' THEN COALESCE(${mr}.arch, 'unknown') ELSE lower(${m}.kind::text) END`);

/**
 * Adds delta rows ("projectId", "roundId", scope, key, stripe, n, m, x, last) to the totals:
 * one statement, usable as a CTE of a larger one.
 */
function upsert(deltas: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`INSERT INTO "DashboardTotal" AS t ("projectId", "roundId", scope, key, stripe, n, m, x, last)
    SELECT "projectId", "roundId", scope, key, stripe, sum(n)::bigint, sum(m)::bigint, sum(x)::float8, max(last)
    FROM (${deltas}) d (  "projectId", "roundId", scope, key, stripe, n, m, x, last)
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ("projectId", "roundId", scope, key, stripe) DO UPDATE
      SET n = t.n + EXCLUDED.n, m = t.m + EXCLUDED.m, x = t.x + EXCLUDED.x, last = GREATEST(t.last, EXCLUDED.last)`;
}

export type CountedVote = {
  projectId: string;
  roundId: string;
  imageId: string;
  voterId: string;
  candidateId: string | null;
  durationMs: number;
  ownDrawing: boolean;
};

/**
 * What one vote adds, as a statement to run in the vote's transaction, before or in the same
 * statement as the vote's INSERT (it reads the image's earlier votes and adds this one): its
 * category (ratings once the item has two votes), the item's agreement bucket, the sources it
 * stands for, its day and its voter. The image lock the vote holds keeps the item's votes still.
 */
export function voteTotalsSql(v: CountedVote): Prisma.Sql {
  const P = Prisma.sql`${v.projectId}::uuid`;
  const R = Prisma.sql`${v.roundId}::uuid`;
  const I = Prisma.sql`${v.imageId}::uuid`;
  const C = Prisma.sql`${v.candidateId}::uuid`;
  const s = stripe(I);
  return upsert(Prisma.sql`
    WITH prior AS (
      SELECT CASE WHEN v."candidateId" IS NULL THEN 'none' ELSE ${category("m", "mr")} END AS cat
      FROM "Vote" v LEFT JOIN "Candidate" c ON c.id = v."candidateId" LEFT JOIN "Mask" m ON m.id = c."maskId"
      LEFT JOIN "ModelRun" mr ON mr.id = m."modelRunId"
      WHERE v."roundId" = ${R} AND v."imageId" = ${I}
    ), stands AS (
      SELECT c.id = ${C} AS head, ${category("m", "mr")} AS cat
      FROM "Candidate" c JOIN "Mask" m ON m.id = c."maskId" LEFT JOIN "ModelRun" mr ON mr.id = m."modelRunId"
      WHERE c."roundId" = ${R} AND c."imageId" = ${I} AND (c.id = ${C} OR c."mergedIntoId" = ${C})
    ), item AS (
      SELECT mine.cat,
        (SELECT count(*) FROM prior) AS n0,
        (SELECT count(*) FROM prior WHERE prior.cat = mine.cat) AS c0,
        (SELECT COALESCE(sum(k * k), 0) FROM (SELECT count(*) AS k FROM prior GROUP BY cat) g) AS s0,
        (SELECT count(DISTINCT cat) FROM prior) AS k0,
        (SELECT min(cat) FROM prior) AS first
      FROM (SELECT CASE WHEN ${C} IS NULL THEN 'none' ELSE COALESCE((SELECT cat FROM stands WHERE head), 'unknown') END AS cat) mine
    )
    SELECT ${P}, ${R}, 'cat', cat, ${s}, (n0 >= 1)::int, 1, 0::float8, NULL::timestamptz FROM item
    UNION ALL SELECT ${P}, ${R}, 'cat', first, ${s}, 1, 0, 0, NULL FROM item WHERE n0 = 1
    UNION ALL SELECT ${P}, ${R}, 'items', n0::text, ${s}, -1, -(k0 = 1)::int, -(s0 - n0), NULL FROM item WHERE n0 >= 2
    UNION ALL SELECT ${P}, ${R}, 'items', (n0 + 1)::text, ${s}, 1, (k0 + (c0 = 0)::int = 1)::int, s0 + 2 * c0 + 1 - (n0 + 1), NULL FROM item WHERE n0 >= 1
    -- (DISTINCT would type a bare NULL as text.)
    UNION ALL SELECT DISTINCT ${P}, ${R}, 'credit', stands.cat, ${s}, 1, 0, 0::float8, NULL::timestamptz FROM stands, item
    UNION ALL SELECT ${P}, ${R}, 'own', '', ${s}, 1, 0, 0, NULL FROM item WHERE ${v.ownDrawing}::boolean
    UNION ALL SELECT ${P}, ${PROJECT_WIDE}::uuid, 'votes-day', ${day("now()")}, ${s}, 1, 0, ${v.durationMs}::float8, NULL FROM item
    UNION ALL SELECT ${P}, ${PROJECT_WIDE}::uuid, 'voter', ${v.voterId}::text, 0::smallint, 1, 0, ${v.durationMs}::float8, now()::timestamptz(3) FROM item
    UNION ALL SELECT ${P}, ${PROJECT_WIDE}::uuid, 'voter-ms', ${v.voterId}::text || ':' || ${v.durationMs}::int, 0::smallint, 1, 0, 0, NULL FROM item`);
}

/**
 * What ground truths add (`sign` 1: `rel` names a CTE of rows just inserted into "GroundTruth")
 * or take away (-1: rows just superseded): their day's accepted count, and for a consensus the
 * wins and appearances of every source shown on the image in that round (a merged duplicate
 * wins with its position). `rel` returns "projectId", "imageId", "maskId", "roundId", decision,
 * "acceptedAt".
 */
export function truthTotalsSql(rel: "g" | "old", sign: 1 | -1): Prisma.Sql {
  const g = Prisma.raw(rel);
  const s = stripe(Prisma.raw('g."imageId"'));
  const days = Prisma.sql`
    SELECT g."projectId", ${PROJECT_WIDE}::uuid, 'accepted-day', ${day('g."acceptedAt"')}, ${s},
      ${Prisma.raw(String(sign))} * (g."maskId" IS NOT NULL)::int, ${Prisma.raw(String(sign))} * (g."maskId" IS NULL)::int, 0::float8, NULL::timestamptz
    FROM ${g} g`;
  if (sign === -1) return upsert(days);
  // An earlier consensus on the same image and round (visible here; `g`'s rows are not) already
  // counted the appearances; a source then gains a win only if it won now and not before.
  return upsert(Prisma.sql`${days}
    UNION ALL
    SELECT g."projectId", g."roundId", 'wins', w.source, ${s}, (pr.masks IS NULL)::int, (w.won AND NOT w.before)::int, 0, NULL
    FROM ${g} g
    CROSS JOIN LATERAL (
      SELECT array_agg(p."maskId") AS masks FROM "GroundTruth" p
      WHERE p."imageId" = g."imageId" AND p."roundId" = g."roundId" AND p.decision = 'CONSENSUS') pr
    CROSS JOIN LATERAL (
      SELECT ${source("m", "mr")} AS source,
        COALESCE(bool_or(COALESCE(h."shownMaskId", h."maskId") = g."maskId" OR COALESCE(h."shownMaskId", h."maskId") = ANY(pr.masks)), FALSE) AS won,
        COALESCE(bool_or(COALESCE(h."shownMaskId", h."maskId") = ANY(pr.masks)), FALSE) AS before
      FROM "Candidate" c JOIN "Candidate" h ON h.id = COALESCE(c."mergedIntoId", c.id)
      JOIN "Mask" m ON m.id = c."maskId" LEFT JOIN "ModelRun" mr ON mr.id = m."modelRunId"
      WHERE c."roundId" = g."roundId" AND c."imageId" = g."imageId" AND c.withheld IS NULL
      GROUP BY 1) w
    WHERE g.decision = 'CONSENSUS' AND g."roundId" IS NOT NULL`);
}

/**
 * A round's candidate figures (withheld, merged, style-normalised, images sent to drawing for
 * want of a candidate), counted in the transaction that opens its vote: they are fixed from then on.
 */
export async function countRoundCandidates(run: SqlRunner, projectId: string, roundId: string) {
  await run.run(Prisma.sql`
    INSERT INTO "DashboardTotal" AS t ("projectId", "roundId", scope, key, stripe, n, m, x, last)
    SELECT ${projectId}::uuid, ${roundId}::uuid, scope, key, 0, n, 0, x, NULL
    FROM dashboard_round_candidates(${projectId}::uuid, ${roundId}::uuid)
    ON CONFLICT ("projectId", "roundId", scope, key, stripe) DO UPDATE SET n = EXCLUDED.n, x = EXCLUDED.x`);
}

/** The totals as a full recount from the raw rows would give them (one row per key, stripes summed, zero rows left out). */
export type TotalRow = {
  roundId: string;
  scope: string;
  key: string;
  n: number;
  m: number;
  x: number;
  last: Date | null;
};

const summed = Prisma.sql`"roundId"::text AS "roundId", scope, key, sum(n)::float8 AS n, sum(m)::float8 AS m, sum(x)::float8 AS x, max(last) AS last`;

/** The running totals of a project, stripes summed (zero rows left out). */
export async function runningDashboardTotals(run: SqlRunner, projectId: string): Promise<TotalRow[]> {
  return run.rows<TotalRow>(Prisma.sql`
    SELECT ${summed} FROM "DashboardTotal" WHERE "projectId" = ${projectId}::uuid
    GROUP BY "roundId", scope, key HAVING sum(n) <> 0 OR sum(m) <> 0 OR sum(x) <> 0 ORDER BY 1, 2, 3`);
}

/** The totals a full recount of the project's votes and truths gives (zero rows left out). */
export async function recountDashboardTotals(run: SqlRunner, projectId: string): Promise<TotalRow[]> {
  return run.rows<TotalRow>(Prisma.sql`
    SELECT ${summed} FROM dashboard_totals_recount(${projectId}::uuid)
    GROUP BY "roundId", scope, key HAVING sum(n) <> 0 OR sum(m) <> 0 OR sum(x) <> 0 ORDER BY 1, 2, 3`);
}

/**
 * Replaces a project's totals with a full recount (repair, and rows written in bulk outside the
 * transitions: seeds). Locks the project's totals for the transaction; run it inside one.
 */
export async function rebuildDashboardTotals(run: SqlRunner, projectId: string): Promise<number> {
  await run.run(Prisma.sql`DELETE FROM "DashboardTotal" WHERE "projectId" = ${projectId}::uuid`);
  return run.run(Prisma.sql`
    INSERT INTO "DashboardTotal" ("projectId", "roundId", scope, key, stripe, n, m, x, last)
    SELECT ${projectId}::uuid, "roundId", scope, key, 0, n, m, x, last FROM dashboard_totals_recount(${projectId}::uuid)`);
}

export type TotalsDifference = {
  roundId: string;
  scope: string;
  key: string;
  running: TotalRow | null;
  recount: TotalRow | null;
};

const totalsKey = (r: TotalRow) => `${r.roundId}\u0000${r.scope}\u0000${r.key}`;
const sameTotals = (a: TotalRow, b: TotalRow) =>
  a.n === b.n && a.m === b.m && a.x === b.x && (a.last?.getTime() ?? null) === (b.last?.getTime() ?? null);

/**
 * A lead's check of the project's running totals against a full recount; with `rebuild`, a
 * difference is repaired by replacing them with the recount. Writers of the totals wait for the
 * check (a vote that has not written its totals yet is neither counted nor lost: it adds them after).
 */
export async function checkDashboardTotals(actor: Actor, projectId: string, opts: { rebuild: boolean }) {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  return sqlTransaction(async (run) => {
    await run.run(Prisma.sql`LOCK TABLE "DashboardTotal" IN SHARE ROW EXCLUSIVE MODE`);
    const running = await runningDashboardTotals(run, projectId);
    const recount = await recountDashboardTotals(run, projectId);
    const byKey = new Map(running.map((r) => [totalsKey(r), r]));
    const differences: TotalsDifference[] = [];
    for (const r of recount) {
      const mine = byKey.get(totalsKey(r)) ?? null;
      byKey.delete(totalsKey(r));
      if (!mine || !sameTotals(mine, r))
        differences.push({ roundId: r.roundId, scope: r.scope, key: r.key, running: mine, recount: r });
    }
    for (const r of byKey.values())
      differences.push({ roundId: r.roundId, scope: r.scope, key: r.key, running: r, recount: null });
    const rebuilt = opts.rebuild && differences.length > 0;
    if (rebuilt) await rebuildDashboardTotals(run, projectId);
    await run.run(
      auditInsertSql({
        action: rebuilt ? "dashboard.totals_rebuild" : "dashboard.totals_check",
        objectType: "Project",
        objectId: projectId,
        projectId,
        actorId: actor.userId,
        after: { keys: recount.length, differences: differences.length, rebuilt },
      }),
    );
    return { keys: recount.length, differences, rebuilt };
  });
}
