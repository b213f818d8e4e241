import "server-only";
import { db } from "../db/client";
import { snapshotPages, sql } from "../db/raw";
import { Prisma } from "../db/generated/client";
import { AppError } from "../errors/app-error";
import { requireProjectRole, requireRoleOnObject } from "../auth/authorize";
import type { Actor } from "../auth/types";
import { pendingBurnedInCount } from "../review/queries";
import { optionsKey, type ExportOptions } from "./schema";
import { ingestColumnSelect, ingestFromColumns } from "../projects/schema";
import type { ExportItem, ExportModel, ExportProject, SelectionCounts } from "./types";

export const EXPORT_ROLES = ["EXPORTER", "LEAD"] as const;

/** Filters on the image itself (label, source); always applied. */
function imageFilter(o: ExportOptions): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (o.labels) parts.push(Prisma.sql`AND i.label = ANY(${o.labels}::"ImageLabel"[])`);
  if (o.sources) parts.push(Prisma.sql`AND i."sourceDataset" = ANY(${o.sources}::text[])`);
  return parts.length ? Prisma.join(parts, " ") : Prisma.empty;
}

/** Filters on the accepted ground truth (stage, acceptance date). */
function acceptanceFilter(o: ExportOptions): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (o.stages) parts.push(Prisma.sql`AND g.stage = ANY(${o.stages}::"Stage"[])`);
  if (o.acceptedAfter) parts.push(Prisma.sql`AND g."acceptedAt" > ${new Date(o.acceptedAfter)}`);
  return parts.length ? Prisma.join(parts, " ") : Prisma.empty;
}

/** Burned-in text awaiting a lead's review holds an image back from every export. */
const NOT_HELD_BACK = Prisma.sql`i."burnedInReview" IS DISTINCT FROM 'PENDING'`;

const hasAcceptanceFilter = (o: ExportOptions) => Boolean(o.stages || o.acceptedAfter);

/**
 * How many images the options choose, how many of those are blocked from export, how many are
 * held back until a lead reviews their burned-in text, and how many have no accepted mask. A stage or date filter only matches accepted images, so with one the
 * unaccepted count is zero by definition.
 */
export async function selectionCounts(projectId: string, o: ExportOptions): Promise<SelectionCounts> {
  const gtMatch = hasAcceptanceFilter(o) ? Prisma.sql`g.id IS NOT NULL ${acceptanceFilter(o)}` : Prisma.sql`TRUE`;
  // Plain pg (as every query an export run makes): a worker or CLI process that only exports
  // never starts Prisma's query compiler (about 0.5 s of CPU and 30 MB on first use).
  const [r] = await sql().rows<SelectionCounts>(Prisma.sql`
    SELECT count(*) FILTER (WHERE NOT i."exportBlocked" AND ${NOT_HELD_BACK} AND g.id IS NOT NULL)::int AS chosen,
           count(*) FILTER (WHERE i."exportBlocked")::int AS blocked,
           count(*) FILTER (WHERE NOT i."exportBlocked" AND NOT ${NOT_HELD_BACK})::int AS "heldBack",
           count(*) FILTER (WHERE NOT i."exportBlocked" AND ${NOT_HELD_BACK} AND g.id IS NULL)::int AS unaccepted
    FROM "Image" i
    LEFT JOIN "GroundTruth" g ON g."imageId" = i.id AND g."isCurrent"
    WHERE i."projectId" = ${projectId}::uuid ${imageFilter(o)} AND (${gtMatch})`);
  return r;
}

/**
 * The exported items in image-id order: only images with a current ground truth, not blocked
 * from export and not held back for burned-in review. One query read through a cursor (one
 * snapshot: the archive's files and tables all describe the same moment, whatever is voted while
 * it is built), `pageSize` items per page; at most two pages are held. Each row comes as one
 * line of tab-separated text (ITEM_FIELDS's order): building JSON for every row cost the
 * database more than the query, and free text (pseudonym, source, view) comes as a JSON string
 * so that no tab or newline in it can shift a field.
 */
export async function* exportItemPages(
  projectId: string,
  o: ExportOptions,
  pageSize = 250,
): AsyncIterable<ExportItem[]> {
  for await (const rows of snapshotPages(exportItemsQuery(projectId, o), pageSize)) {
    const items = new Array<ExportItem>(rows.length);
    for (let k = 0; k < rows.length; k++) items[k] = itemFromLine(rows[k][0]);
    yield items;
  }
}

/** The fields of an item's line, in order; NULL is written as an empty field. */
const ITEM_FIELD_SQL = [
  `i.id`,
  `i.width`,
  `i.height`,
  `i."sourceFormat"`,
  `i."storageKey"`,
  `COALESCE(i."workingSha256", '')`,
  `i."originalKey"`,
  `COALESCE(to_json(i."patientPseudonym")::text, '')`,
  `i.label`,
  `COALESCE(to_json(i."sourceDataset")::text, '')`,
  `COALESCE(to_json(i.view)::text, '')`,
  `COALESCE(i.split::text, '')`,
  `COALESCE(i.fold::text, '')`,
  `g.id`,
  `COALESCE(g.stage::text, '')`,
  `COALESCE(r.number::text, '')`,
  `g.decision`,
  `g."sourceKind"`,
  `(extract(epoch FROM g."acceptedAt") * 1000)::bigint`,
  `COALESCE(m.id::text, '')`,
  `COALESCE(m."storageKey", '')`,
  `COALESCE(m.sha256, '')`,
  `COALESCE(m.width::text, '')`,
  `COALESCE(m.height::text, '')`,
  `COALESCE(m.area::text, '')`,
  `COALESCE(m."rleCounts", '')`,
  `COALESCE(m.bbox::text, '')`,
  `COALESCE(CASE WHEN m."modelRunId" IS NOT NULL OR m."normalisedFromId" IS NOT NULL THEN (
       SELECT json_build_array(mr.arch, mr.encoder, mr.fold, mr."weightsSha256")::text FROM "ModelRun" mr
       WHERE mr.id = COALESCE(m."modelRunId", (SELECT o."modelRunId" FROM "Mask" o WHERE o.id = m."normalisedFromId"))
     ) END, '')`,
  `COALESCE(CASE WHEN g."roundId" IS NOT NULL THEN (
       SELECT count(*) || ',' || count(*) FILTER (WHERE COALESCE(c."shownMaskId", c."maskId") = g."maskId")
       FROM "Vote" vt LEFT JOIN "Candidate" c ON c.id = vt."candidateId"
       WHERE vt."roundId" = g."roundId" AND vt."imageId" = i.id
     ) END, '')`,
];
const ITEM_FIELDS = Prisma.raw(ITEM_FIELD_SQL.join(",\n    "));

function exportItemsQuery(projectId: string, o: ExportOptions): Prisma.Sql {
  return Prisma.sql`
    SELECT concat_ws(E'\t', ${ITEM_FIELDS})
    FROM "Image" i
    JOIN "GroundTruth" g ON g."imageId" = i.id AND g."isCurrent" ${acceptanceFilter(o)}
    LEFT JOIN "Round" r ON r.id = g."roundId"
    LEFT JOIN "Mask" m ON m.id = g."maskId"
    WHERE i."projectId" = ${projectId}::uuid AND NOT i."exportBlocked" AND ${NOT_HELD_BACK} ${imageFilter(o)}
    ORDER BY i.id`;
}

const orNull = (v: string): string | null => (v === "" ? null : v);
const intOrNull = (v: string): number | null => (v === "" ? null : Number(v));
const textOrNull = (v: string): string | null => (v === "" ? null : (JSON.parse(v) as string));

/** One item from its line (exportItemsQuery). */
function itemFromLine(line: string): ExportItem {
  const v = line.split("\t");
  if (v.length !== ITEM_FIELD_SQL.length)
    throw new Error(`an export row has ${v.length} fields, not ${ITEM_FIELD_SQL.length}: ${line.slice(0, 120)}`);
  const model = v[27] ? (JSON.parse(v[27]) as [string | null, string | null, number | null, string | null]) : null;
  const votes = v[28] ? v[28].split(",") : null;
  return {
    imageId: v[0],
    width: Number(v[1]),
    height: Number(v[2]),
    sourceFormat: v[3] as ExportItem["sourceFormat"],
    imageKey: v[4],
    imageSha256: orNull(v[5]),
    originalKey: v[6],
    patient: textOrNull(v[7]),
    label: v[8] as ExportItem["label"],
    source: textOrNull(v[9]),
    view: textOrNull(v[10]),
    split: orNull(v[11]) as ExportItem["split"],
    fold: intOrNull(v[12]),
    groundTruthId: v[13],
    mask:
      v[19] === ""
        ? null
        : {
            id: v[19],
            key: v[20],
            sha256: v[21],
            width: Number(v[22]),
            height: Number(v[23]),
            area: Number(v[24]),
            rleCounts: orNull(v[25]),
            bbox: v[26].length > 2 ? v[26].slice(1, -1).split(",").map(Number) : [],
          },
    stage: orNull(v[14]) as ExportItem["stage"],
    round: intOrNull(v[15]),
    decision: v[16],
    sourceKind: v[17] as ExportItem["sourceKind"],
    model:
      model && model[0] !== null && model[1] !== null
        ? { arch: model[0], encoder: model[1], fold: model[2], weightsSha256: model[3] }
        : null,
    votes: votes ? Number(votes[0]) : 0,
    agreeing: votes ? Number(votes[1]) : 0,
    acceptedAt: new Date(Number(v[18])),
  };
}

/** The finished models of the latest round that has any: the networks the dataset ends with. */
export async function exportModels(projectId: string): Promise<ExportModel[]> {
  return sql().rows<ExportModel>(Prisma.sql`
    WITH latest AS (
      SELECT r.id FROM "Round" r
      WHERE r."projectId" = ${projectId}::uuid
        AND EXISTS (SELECT 1 FROM "ModelRun" m WHERE m."roundId" = r.id AND m.status = 'SUCCEEDED' AND m."artifactKey" IS NOT NULL)
      ORDER BY r.number DESC LIMIT 1)
    SELECT m.id AS "runId", r.number AS "roundNumber", r.stage::text AS stage, m.arch, m.encoder, m.fold,
           m.config, m.metrics, m."artifactKey", m."weightsSha256", m."paramCount",
           (SELECT count(*) FROM "ModelRunImage" x WHERE x."runId" = m.id AND x.trained)::int AS "trainedCount",
           (SELECT count(*) FROM "ModelRunImage" x WHERE x."runId" = m.id AND NOT x.trained)::int AS "heldOutCount",
           (SELECT encode(sha256(convert_to(COALESCE(string_agg(x."imageId"::text || E'\\n', '' ORDER BY x."imageId"), ''), 'UTF8')), 'hex')
              FROM "ModelRunImage" x WHERE x."runId" = m.id AND x.trained) AS "trainingSetSha256"
    FROM "ModelRun" m JOIN "Round" r ON r.id = m."roundId"
    WHERE m."roundId" = (SELECT id FROM latest) AND m.status = 'SUCCEEDED' AND m."artifactKey" IS NOT NULL
    ORDER BY m.arch COLLATE "C", m.encoder COLLATE "C", m.fold NULLS FIRST, m.id`);
}

export async function exportProject(projectId: string): Promise<ExportProject> {
  // The columns as Prisma names them (none is mapped), so ingestFromColumns reads the same row
  // (pg returns an enum's value as its text).
  const [p] = await sql().rows<ProjectRow>(Prisma.sql`
    SELECT p.id, p.slug, p.name, p.folds, p."s1Seed", p."votesPerImage", p."selectionMode"::text AS "selectionMode",
           p."agreementDice", p."stage1Archs", p."stage2Networks", ${INGEST_COLUMNS},
           COALESCE((SELECT json_agg(json_build_object('number', r.number, 'stage', r.stage, 'status', r.status) ORDER BY r.number)
                     FROM "Round" r WHERE r."projectId" = p.id), '[]') AS rounds
    FROM "Project" p WHERE p.id = ${projectId}::uuid`);
  if (!p) throw new AppError("NOT_FOUND", "Project not found");
  return {
    id: p.id,
    slug: p.slug,
    name: p.name,
    folds: p.folds,
    seed: p.s1Seed,
    votesPerImage: p.votesPerImage,
    selectionMode: p.selectionMode,
    agreementDice: p.agreementDice,
    stage1Archs: p.stage1Archs,
    stage2Networks: p.stage2Networks,
    rounds: p.rounds,
    ingest: ingestFromColumns(p),
  };
}

const INGEST_COLUMNS = Prisma.raw(
  Object.keys(ingestColumnSelect)
    .map((c) => `p."${c}"`)
    .join(", "),
);

type ProjectRow = Parameters<typeof ingestFromColumns>[0] & Omit<ExportProject, "seed" | "ingest"> & { s1Seed: number };

/** What runExport needs of an export row, through plain pg (see selectionCounts). */
export async function exportRunRow(exportId: string) {
  const [r] = await sql().rows<{
    projectId: string;
    status: string;
    options: unknown;
    datasetVersion: string | null;
    sha256: string | null;
    sizeBytes: string | null;
    fileCount: number | null;
  }>(Prisma.sql`SELECT "projectId", status::text AS status, options, "datasetVersion", sha256, "sizeBytes"::text AS "sizeBytes", "fileCount"
    FROM "Export" WHERE id = ${exportId}::uuid`);
  return r ?? null;
}

export async function getExportRow(exportId: string) {
  return db().export.findUnique({ where: { id: exportId } });
}

export const exportJobKey = (exportId: string) => `export:${exportId}`;

export type ExportView = {
  id: string;
  projectId: string;
  status: string;
  options: ExportOptions;
  datasetVersion: string | null;
  sha256: string | null;
  sizeBytes: number | null;
  fileCount: number | null;
  downloadable: boolean;
  createdAt: string;
  finishedAt: string | null;
  progress: { done: number; total: number; phase?: string; bytes?: number } | null;
  error: string | null;
};

type ExportRow = NonNullable<Awaited<ReturnType<typeof getExportRow>>>;

async function withJobs(rows: ExportRow[]): Promise<ExportView[]> {
  const jobs = await db().job.findMany({
    where: { singletonKey: { in: rows.map((r) => exportJobKey(r.id)) } },
    select: { singletonKey: true, progress: true, lastError: true },
  });
  const byKey = new Map(jobs.map((j) => [j.singletonKey, j]));
  return rows.map((r) => {
    const job = byKey.get(exportJobKey(r.id));
    return {
      id: r.id,
      projectId: r.projectId,
      status: r.status,
      options: r.options as ExportOptions,
      datasetVersion: r.datasetVersion,
      sha256: r.sha256,
      sizeBytes: r.sizeBytes === null ? null : Number(r.sizeBytes),
      fileCount: r.fileCount,
      downloadable: r.status === "SUCCEEDED" && r.storageKey !== null,
      createdAt: r.createdAt.toISOString(),
      finishedAt: r.finishedAt?.toISOString() ?? null,
      progress: (job?.progress as ExportView["progress"]) ?? null,
      error: r.status === "FAILED" ? (job?.lastError ?? "The export failed") : null,
    };
  });
}

export async function listExports(actor: Actor, projectId: string, take = 50): Promise<ExportView[]> {
  await requireProjectRole(actor, projectId, [...EXPORT_ROLES]);
  const rows = await db().export.findMany({
    where: { projectId },
    orderBy: { createdAt: "desc" },
    take: Math.min(take, 200),
  });
  return withJobs(rows);
}

/** An export the actor may see: NOT_FOUND for outsiders, FORBIDDEN for members without the role. */
export async function getExportForActor(actor: Actor, exportId: string): Promise<ExportView> {
  const row = await getExportRow(exportId);
  if (!row) throw new AppError("NOT_FOUND", "Export not found");
  await requireRoleOnObject(actor, row.projectId, [...EXPORT_ROLES], "Export");
  return (await withJobs([row]))[0];
}

/** An export of the same project and options still queued or running (a repeat request joins it). */
export async function findActiveExport(projectId: string, options: ExportOptions) {
  const rows = await db().export.findMany({
    where: { projectId, status: { in: ["QUEUED", "RUNNING"] } },
    orderBy: { createdAt: "asc" },
  });
  return rows.find((r) => optionsKey(r.options as ExportOptions) === optionsKey(options)) ?? null;
}

/** Everything the exports page shows: the project, its exports, the sources one can filter on. */
export async function loadExportsPage(actor: Actor, slug: string) {
  const project = await db().project.findUnique({ where: { slug }, select: { id: true, name: true, slug: true } });
  if (!project) throw new AppError("NOT_FOUND", "Project not found");
  const exports = await listExports(actor, project.id);
  const sources = await db().image.findMany({
    where: { projectId: project.id, sourceDataset: { not: null } },
    distinct: ["sourceDataset"],
    select: { sourceDataset: true },
    orderBy: { sourceDataset: "asc" },
    take: 100,
  });
  const heldBack = await pendingBurnedInCount(project.id);
  return { project, exports, sources: sources.map((s) => s.sourceDataset!), heldBack };
}

/** The project's slug, which names the downloaded archive. */
export async function exportProjectSlug(projectId: string): Promise<string> {
  return (await db().project.findUniqueOrThrow({ where: { id: projectId }, select: { slug: true } })).slug;
}
