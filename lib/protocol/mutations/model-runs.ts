// The workers' side of a round: a run starts, reports progress, fails or completes, and
// registers its predictions as candidates.
import "server-only";
import { db } from "../../db/client";
import { Prisma } from "../../db/generated/client";
import { sql } from "../../db/raw";
import { uuidv7 } from "../../db/uuid";
import { AppError } from "../../errors/app-error";
import { enqueue } from "../../jobs/queue";
import { storeMask } from "../../masks/mutations";
import { predictionImageIds } from "../queries";
import { PREDICT_CHUNK } from "../types";
import { runTaskFromMetrics } from "../../ml/run-task";

/**
 * Records a finished training run and fans its prediction out into chunked jobs. A classifier
 * run (metrics task "classify") predicts nothing: it is never a candidate mask.
 */
export async function completeTrainingRun(
  runId: string,
  out: { artifactKey: string; weightsSha256: string; metrics: unknown; paramCount?: number },
) {
  const run = await db().modelRun.update({
    where: { id: runId },
    data: {
      status: "SUCCEEDED",
      artifactKey: out.artifactKey,
      weightsSha256: out.weightsSha256,
      metrics: out.metrics as Prisma.InputJsonValue,
      paramCount: out.paramCount,
      finishedAt: new Date(),
    },
  });
  if (runTaskFromMetrics(out.metrics) === "classify") return { chunks: 0 };
  const images = await predictionImageIds(runId);
  const chunks = Math.max(1, Math.ceil(images.length / PREDICT_CHUNK));
  for (let c = 0; c < chunks; c++) {
    await enqueue(
      "predict",
      { runId, chunk: c, chunks },
      { singletonKey: `predict:${runId}:${c}/${chunks}`, projectId: run.projectId },
    );
  }
  return { chunks };
}

export async function markRunStarted(runId: string) {
  await db().modelRun.update({ where: { id: runId }, data: { status: "RUNNING", startedAt: new Date() } });
}

export async function recordRunProgress(runId: string, progress: unknown) {
  await db().modelRun.update({ where: { id: runId }, data: { progress: progress as Prisma.InputJsonValue } });
}

export async function failRun(runId: string, message: string) {
  await db().modelRun.update({
    where: { id: runId },
    data: { status: "FAILED", progress: { error: message.slice(0, 2000) } },
  });
}

/**
 * Registers one machine candidate (idempotent: one mask per run and image, one candidate
 * per round, image and mask). Refuses an image the run trained on: the out-of-fold rule.
 */
export async function registerPrediction(
  run: { id: string; projectId: string; roundId: string | null },
  image: { id: string; width: number; height: number },
  mask: Uint8Array,
  probKey: string | null,
) {
  return (await registerPredictions(run, [{ image, mask, probKey }]))[0];
}

/**
 * registerPrediction for a whole batch of a run's images: the masks are stored first (a crash
 * leaves at most orphan objects), then one statement does the rest. The out-of-fold check is
 * in that statement, so a refused batch also leaves its mask PNGs as orphan objects.
 */
export async function registerPredictions(
  run: { id: string; projectId: string; roundId: string | null },
  items: {
    image: { id: string; width: number; height: number };
    mask: Uint8Array;
    probKey: string | null;
    presence?: number | null;
  }[],
): Promise<string[]> {
  const rows = await Promise.all(
    items.map((it) =>
      storeMask({
        projectId: run.projectId,
        imageId: it.image.id,
        kind: "MACHINE",
        mask: it.mask,
        width: it.image.width,
        height: it.image.height,
        modelRunId: run.id,
        roundId: run.roundId,
        probKey: it.probKey,
        presence: it.presence ?? null,
      }),
    ),
  );
  return registerStoredPredictions(run, rows);
}

type StoredMaskRow = Awaited<ReturnType<typeof storeMask>>;

/**
 * Registers a batch of a run's stored machine masks and their candidates in one statement: the
 * out-of-fold check (the run must not have trained on any of the images; nothing is inserted
 * if it did), the masks, and one candidate per image in the run's round. Idempotent, and safe
 * against a retry racing this one: a mask already there for (run, image) is kept (the upsert's
 * no-op update returns the winner's id, even one committed after this statement began), this
 * batch's PNG for it stays an orphan object, and the candidate names the kept mask. Returns the
 * masks' ids in the rows' order.
 */
export async function registerStoredPredictions(
  run: { id: string; projectId: string; roundId: string | null },
  rows: StoredMaskRow[],
): Promise<string[]> {
  if (!rows.length) return [];
  const json = JSON.stringify(
    rows.map((r) => ({
      id: r.id,
      candidateId: uuidv7(),
      imageId: r.imageId,
      storageKey: r.storageKey,
      probKey: r.probKey,
      presence: r.presence,
      sha256: r.sha256,
      area: r.area,
      width: r.width,
      height: r.height,
      rleCounts: r.rleCounts,
      bbox: r.bbox,
    })),
  );
  const [out] = await sql().rows<{ violation: string | null; masks: { imageId: string; id: string }[] | null }>(
    Prisma.sql`
    WITH v AS (
      SELECT * FROM jsonb_to_recordset(${json}::jsonb) AS v(
        id uuid, "candidateId" uuid, "imageId" uuid, "storageKey" text, "probKey" text, presence float8,
        sha256 text, area int, width int, height int, "rleCounts" text, bbox int[])
    ), oof AS (
      SELECT t."imageId" FROM "ModelRunImage" t
      WHERE t."runId" = ${run.id}::uuid AND t.trained AND t."imageId" IN (SELECT "imageId" FROM v) LIMIT 1
    ), ins AS (
      INSERT INTO "Mask" (id, "projectId", "imageId", kind, "modelRunId", "roundId", "storageKey", "probKey",
                          presence, sha256, area, width, height, "rleCounts", bbox)
      SELECT v.id, ${run.projectId}::uuid, v."imageId", 'MACHINE', ${run.id}::uuid, ${run.roundId}::uuid,
             v."storageKey", v."probKey", v.presence, v.sha256, v.area, v.width, v.height, v."rleCounts", v.bbox
      FROM v WHERE NOT EXISTS (SELECT 1 FROM oof)
      ON CONFLICT ("modelRunId", "imageId") DO UPDATE SET "modelRunId" = EXCLUDED."modelRunId"
      RETURNING id, "imageId"
    ), cand AS (
      INSERT INTO "Candidate" (id, "roundId", "imageId", "maskId")
      SELECT v."candidateId", ${run.roundId}::uuid, ins."imageId", ins.id
      FROM ins JOIN v ON v."imageId" = ins."imageId"
      WHERE ${run.roundId}::uuid IS NOT NULL
      ON CONFLICT ("roundId", "imageId", "maskId") DO NOTHING
    )
    SELECT (SELECT "imageId" FROM oof)::text AS violation,
           (SELECT json_agg(json_build_object('imageId', "imageId", 'id', id)) FROM ins) AS masks`,
  );
  if (out.violation) throw new AppError("CONFLICT", `Out-of-fold violation: the run trained on image ${out.violation}`);
  const byImage = new Map((out.masks ?? []).map((m) => [m.imageId, m.id]));
  return rows.map((r) => byImage.get(r.imageId)!);
}

/** Keeps a run's int8 quantisation (made once, on first use) and its measured agreement. */
export async function recordInt8Model(
  runId: string,
  int8: { artifactKey: string; sha256: string; [k: string]: unknown },
) {
  await db().modelRun.update({ where: { id: runId }, data: { int8: int8 as Prisma.InputJsonValue } });
}
