-- Running totals for the lead dashboard (issue 21): what its agreement, win-rate, series, MD and
-- blind-vote figures need, kept by lib/protocol/mutations/dashboard-totals.ts in the transaction
-- of each vote and acceptance, so the first view no longer scans every vote and ground truth.
-- roundId is the nil uuid for a project-wide row; stripe spreads a hot counter over rows.
CREATE TABLE "DashboardTotal" (
    "projectId" UUID NOT NULL,
    "roundId" UUID NOT NULL,
    "scope" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "stripe" SMALLINT NOT NULL DEFAULT 0,
    "n" BIGINT NOT NULL DEFAULT '0',
    "m" BIGINT NOT NULL DEFAULT '0',
    "x" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "last" TIMESTAMPTZ(3),

    CONSTRAINT "DashboardTotal_pkey" PRIMARY KEY ("projectId", "roundId", "scope", "key", "stripe")
);

-- A round's candidate figures, fixed once its vote opens (cands: withheld-empty, withheld-small,
-- merged → candidates; normalised → candidates with a style-normalised rendering, Σ Dice;
-- sent-to-drawing → images that had no candidate left).
CREATE FUNCTION dashboard_round_candidates(p UUID, r UUID)
RETURNS TABLE (scope TEXT, key TEXT, n BIGINT, x DOUBLE PRECISION)
LANGUAGE sql STABLE AS $$
  WITH c AS (
    SELECT count(*) FILTER (WHERE withheld = 'EMPTY') AS empty, count(*) FILTER (WHERE withheld = 'SMALL') AS small,
      count(*) FILTER (WHERE "mergedIntoId" IS NOT NULL) AS merged, count("normalisedDice") AS nd, COALESCE(sum("normalisedDice"), 0) AS sd
    FROM "Candidate" WHERE "roundId" = r
  )
  SELECT 'cands', 'withheld-empty', empty, 0::float8 FROM c
  UNION ALL SELECT 'cands', 'withheld-small', small, 0 FROM c
  UNION ALL SELECT 'cands', 'merged', merged, 0 FROM c
  UNION ALL SELECT 'cands', 'normalised', nd, sd FROM c
  UNION ALL SELECT 'cands', 'sent-to-drawing', count(*), 0 FROM "AuditLog"
    WHERE "projectId" = p AND action = 'vote.no_candidate' AND after ->> 'roundId' = r::text
$$;

-- The full recount from the raw rows: the one definition of what every total holds. The backfill
-- below, rebuildDashboardTotals (repair, bulk seeds) and the test that checks the running totals
-- all read it. Scopes, per round: cat (category → ratings on items with ≥ 2 votes, all votes), items
-- (votes on the item → items, unanimous items, Σ(Σ n_c² − n)), credit (category → votes that
-- stand for it, merged duplicates included), own (votes on one's own drawing), wins (source →
-- appearances, wins over consensus decisions). Per project (nil round): votes-day (UTC day →
-- votes, Σ duration ms), accepted-day (UTC day → current truths with a mask, by label), voter
-- (voter → votes, Σ duration ms, last vote), voter-ms (voter:duration ms → votes: the exact median
-- without every vote), and per round whose vote has opened, its candidate figures (cands, above).
CREATE FUNCTION dashboard_totals_recount(p UUID)
RETURNS TABLE ("roundId" UUID, scope TEXT, key TEXT, n BIGINT, m BIGINT, x DOUBLE PRECISION, last TIMESTAMPTZ)
LANGUAGE sql STABLE AS $$
  WITH rounds AS (SELECT id FROM "Round" WHERE "projectId" = p),
  src AS MATERIALIZED (
    SELECT mk.id,
      CASE WHEN mk.kind = 'MACHINE' THEN 'machine:' || COALESCE(mr.arch || '/' || mr.encoder, 'unknown') ELSE lower(mk.kind::text) END AS cat,
      CASE WHEN mk.kind = 'MACHINE' THEN COALESCE(mr.arch, 'unknown') ELSE lower(mk.kind::text) END AS source
    FROM "Mask" mk LEFT JOIN "ModelRun" mr ON mr.id = mk."modelRunId" WHERE mk."projectId" = p
  ), cand AS MATERIALIZED (
    SELECT c.id, c."roundId", c."imageId", c."maskId", c."mergedIntoId", c.withheld, c."shownMaskId"
    FROM "Candidate" c WHERE c."roundId" IN (SELECT id FROM rounds)
  ), votes AS MATERIALIZED (
    SELECT v.id, v."roundId", v."imageId", v."voterId", v."candidateId", v."durationMs", v."ownDrawing", v."createdAt"
    FROM "Vote" v WHERE v."roundId" IN (SELECT id FROM rounds)
  ), cells AS (
    SELECT votes."roundId", votes."imageId",
      CASE WHEN votes."candidateId" IS NULL THEN 'none' ELSE COALESCE(src.cat, 'unknown') END AS cat, count(*) AS c,
      sum(count(*)) OVER (PARTITION BY votes."roundId", votes."imageId") AS item_n
    FROM votes LEFT JOIN cand ON cand.id = votes."candidateId" LEFT JOIN src ON src.id = cand."maskId"
    GROUP BY 1, 2, 3
  ), items AS (
    SELECT "roundId", max(item_n)::bigint AS n, sum(c * c)::bigint AS s, count(*) AS k
    FROM cells WHERE item_n >= 2 GROUP BY "roundId", "imageId"
  ), stands AS (
    SELECT votes.id, votes."roundId", cand."maskId" FROM votes JOIN cand ON cand.id = votes."candidateId"
    UNION ALL
    SELECT votes.id, votes."roundId", cand."maskId" FROM votes JOIN cand ON cand."mergedIntoId" = votes."candidateId"
  ), gt AS (
    SELECT "roundId", "imageId", "maskId" FROM "GroundTruth"
    WHERE "projectId" = p AND decision = 'CONSENSUS' AND "roundId" IS NOT NULL
  ), shown AS (
    SELECT c."roundId", c."imageId", c."maskId", COALESCE(h."shownMaskId", h."maskId") AS "wonAs"
    FROM cand c JOIN cand h ON h.id = COALESCE(c."mergedIntoId", c.id) WHERE c.withheld IS NULL
  ), per AS (
    SELECT gt."roundId", src.source, bool_or(shown."wonAs" = gt."maskId") AS won
    FROM gt JOIN shown ON shown."roundId" = gt."roundId" AND shown."imageId" = gt."imageId" JOIN src ON src.id = shown."maskId"
    GROUP BY gt."roundId", gt."imageId", src.source
  ), nil AS (SELECT '00000000-0000-0000-0000-000000000000'::uuid AS id)
  SELECT "roundId", 'cat', cat, COALESCE(sum(c) FILTER (WHERE item_n >= 2), 0)::bigint, sum(c)::bigint, 0::float8, NULL::timestamptz
  FROM cells GROUP BY "roundId", cat
  UNION ALL
  SELECT "roundId", 'items', n::text, count(*), count(*) FILTER (WHERE k = 1), sum(s - n)::float8, NULL
  FROM items GROUP BY "roundId", n
  UNION ALL
  SELECT stands."roundId", 'credit', COALESCE(src.cat, 'unknown'), count(DISTINCT stands.id), 0, 0, NULL
  FROM stands LEFT JOIN src ON src.id = stands."maskId" GROUP BY stands."roundId", COALESCE(src.cat, 'unknown')
  UNION ALL
  SELECT "roundId", 'own', '', count(*), 0, 0, NULL FROM votes WHERE "ownDrawing" GROUP BY "roundId"
  UNION ALL
  SELECT "roundId", 'wins', source, count(*), count(*) FILTER (WHERE won), 0, NULL FROM per GROUP BY "roundId", source
  UNION ALL
  SELECT (SELECT id FROM nil), 'votes-day', to_char("createdAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD'), count(*), 0, sum("durationMs")::float8, NULL
  FROM votes GROUP BY 3
  UNION ALL
  SELECT (SELECT id FROM nil), 'accepted-day', to_char("acceptedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
    count(*) FILTER (WHERE "maskId" IS NOT NULL), count(*) FILTER (WHERE "maskId" IS NULL), 0, NULL
  FROM "GroundTruth" WHERE "projectId" = p AND "isCurrent" GROUP BY 3
  UNION ALL
  SELECT (SELECT id FROM nil), 'voter', "voterId"::text, count(*), 0, sum("durationMs")::float8, max("createdAt")
  FROM votes GROUP BY "voterId"
  UNION ALL
  SELECT (SELECT id FROM nil), 'voter-ms', "voterId"::text || ':' || "durationMs", count(*), 0, 0, NULL
  FROM votes GROUP BY "voterId", "durationMs"
  UNION ALL
  SELECT rd.id, c.scope, c.key, c.n, 0, c.x, NULL
  FROM "Round" rd CROSS JOIN LATERAL dashboard_round_candidates(p, rd.id) c
  WHERE rd."projectId" = p AND rd.status IN ('VOTING', 'CLOSED')
$$;

-- Backfill: every existing project's totals from its rows.
INSERT INTO "DashboardTotal" ("projectId", "roundId", scope, key, stripe, n, m, x, last)
SELECT p.id, t."roundId", t.scope, t.key, 0, t.n, t.m, t.x, t.last
FROM "Project" p CROSS JOIN LATERAL dashboard_totals_recount(p.id) t;
