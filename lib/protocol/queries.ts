import "server-only";
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { AppError } from "../errors/app-error";
import { parseRunMetrics } from "../ml/run-metrics";
import { failingModels, GATE_ADVICE, type GateFailure } from "./quality-gate";
import { isClassifierConfig } from "./types";

export type TrainingItem = {
  imageId: string;
  imageKey: string;
  maskKey: string | null;
  label: "covid" | "control";
  patient: string | null;
};

/**
 * Each image's current accepted mask, as its storage key (null: an empty mask accepted);
 * images without a current truth are absent.
 */
export async function currentTruthMaskKeys(imageIds: readonly string[]): Promise<Map<string, string | null>> {
  const truths = await db().groundTruth.findMany({
    where: { imageId: { in: [...imageIds] }, isCurrent: true },
    select: { imageId: true, maskId: true },
  });
  const masks = await db().mask.findMany({
    where: { id: { in: truths.flatMap((t) => (t.maskId ? [t.maskId] : [])) } },
    select: { id: true, storageKey: true },
  });
  const keyOf = new Map(masks.map((m) => [m.id, m.storageKey]));
  return new Map(truths.map((t) => [t.imageId, t.maskId ? (keyOf.get(t.maskId) ?? null) : null]));
}

/**
 * What a run trains on and is validated against. Stage I: the subset's manual masks (train =
 * other folds, validation = its own fold). Stage II: the accepted masks chosen at round start.
 * A classifier run: the images' COVID-19/control labels, every held-out image validated, the
 * accepted masks (where there are any) only to score its activation maps.
 */
export async function trainingInputs(runId: string) {
  const run = await db().modelRun.findUniqueOrThrow({ where: { id: runId }, include: { round: true } });
  const rows = await db().modelRunImage.findMany({ where: { runId }, select: { imageId: true, trained: true } });
  const images = await db().image.findMany({
    where: { id: { in: rows.map((r) => r.imageId) } },
    select: { id: true, storageKey: true, label: true, patientPseudonym: true },
  });
  const maskOf = new Map<string, string | null>();
  const classify = isClassifierConfig(run.config);
  if (run.fold !== null && !classify) {
    const manual = await db().mask.findMany({
      where: { imageId: { in: images.map((i) => i.id) }, kind: "MANUAL", roundId: run.roundId },
      select: { imageId: true, storageKey: true },
    });
    for (const m of manual) maskOf.set(m.imageId, m.storageKey);
  } else {
    for (const [imageId, key] of await currentTruthMaskKeys(images.map((i) => i.id))) maskOf.set(imageId, key);
  }
  const byId = new Map(images.map((i) => [i.id, i]));
  const item = (imageId: string): TrainingItem => {
    const img = byId.get(imageId)!;
    const maskKey = maskOf.get(imageId) ?? null;
    return {
      imageId,
      imageKey: img.storageKey,
      maskKey,
      // A classifier learns the image labels; an accepted mask only scores its activation map.
      label: classify ? (img.label === "COVID" ? "covid" : "control") : maskKey ? "covid" : "control",
      patient: img.patientPseudonym,
    };
  };
  const train = rows
    .filter((r) => r.trained)
    .map((r) => item(r.imageId))
    .sort((a, b) => a.imageId.localeCompare(b.imageId));
  const val = rows
    .filter((r) => !r.trained && (classify || maskOf.has(r.imageId)))
    .map((r) => item(r.imageId))
    .sort((a, b) => a.imageId.localeCompare(b.imageId));
  return { run, train, val };
}

export async function getRun(runId: string) {
  return db().modelRun.findUnique({ where: { id: runId }, include: { round: true } });
}

/** Whether the project predicts with its float or its int8 models. */
export async function inferencePrecision(projectId: string) {
  const p = await db().project.findUniqueOrThrow({ where: { id: projectId }, select: { inferencePrecision: true } });
  return p.inferencePrecision;
}

/** Up to `limit` images a run trained on (in id order): the int8 calibration set. */
export async function runTrainingImages(runId: string, limit: number) {
  return db().$queryRaw<{ id: string; storageKey: string }[]>`
    SELECT i.id, i."storageKey" FROM "ModelRunImage" m JOIN "Image" i ON i.id = m."imageId"
    WHERE m."runId" = ${runId}::uuid AND m.trained ORDER BY m."imageId" LIMIT ${limit}`;
}

export async function imagesForPrediction(ids: string[]) {
  return db().image.findMany({
    where: { id: { in: ids } },
    select: { id: true, projectId: true, storageKey: true, width: true, height: true },
    orderBy: { id: "asc" },
  });
}

export async function existingPredictions(runId: string, imageIds: string[]) {
  const rows = await db().mask.findMany({
    where: { modelRunId: runId, imageId: { in: imageIds } },
    select: { imageId: true, id: true },
  });
  return new Map(rows.map((r) => [r.imageId, r.id]));
}

export async function openImageCount(projectId: string) {
  return db().image.count({ where: { projectId, state: { not: "ACCEPTED" } } });
}

/** How a project's protocol turned out: accepted masks with their source, and the votes. */
export async function protocolOutcome(projectId: string) {
  const accepted = await db().$queryRaw<
    { imageId: string; maskKey: string | null; sourceKind: string; stage: string | null; decision: string }[]
  >`
    SELECT g."imageId", m."storageKey" AS "maskKey", g."sourceKind"::text, g.stage::text, g.decision::text
    FROM "GroundTruth" g LEFT JOIN "Mask" m ON m.id = g."maskId"
    WHERE g."projectId" = ${projectId}::uuid AND g."isCurrent"`;
  const votes = await db().$queryRaw<
    { stage: string; chosenKind: string | null; arch: string | null; imageId: string; voterId: string }[]
  >`
    SELECT r.stage::text, m.kind::text AS "chosenKind", mr.arch, v."imageId", v."voterId"
    FROM "Vote" v JOIN "Round" r ON r.id = v."roundId"
    LEFT JOIN "Candidate" c ON c.id = v."candidateId"
    LEFT JOIN "Mask" m ON m.id = c."maskId"
    LEFT JOIN "ModelRun" mr ON mr.id = m."modelRunId"
    WHERE r."projectId" = ${projectId}::uuid`;
  const rounds = await db().round.count({ where: { projectId } });
  const project = await db().project.findUniqueOrThrow({ where: { id: projectId }, select: { completedAt: true } });
  return { accepted, votes, rounds, complete: project.completedAt !== null };
}

/** What stops the lead from starting Stage-I training now. */
export async function stage1TrainingBlockers(tx: Prisma.TransactionClient, _projectId: string, roundId: string) {
  const missing = await tx.task.count({ where: { roundId, kind: "MANUAL", status: { not: "DONE" } } });
  return missing
    ? [
        {
          code: "MANUAL_MISSING",
          message: `${missing} Stage-I image${missing === 1 ? "" : "s"} still lack${missing === 1 ? "s" : ""} a manual mask`,
          count: missing,
        },
      ]
    : [];
}

/**
 * The images a run may predict: Stage-I runs only their held-out fold; Stage-II runs every
 * image open when the round started that the run did not train on. Never a trained image.
 */
export async function predictionImageIds(runId: string): Promise<string[]> {
  const run = await db().modelRun.findUniqueOrThrow({ where: { id: runId }, include: { round: true } });
  if (run.fold !== null) {
    const rows = await db().modelRunImage.findMany({
      where: { runId, trained: false },
      select: { imageId: true },
      orderBy: { imageId: "asc" },
    });
    return rows.map((r) => r.imageId);
  }
  const rows = await db().$queryRaw<{ id: string }[]>`
    SELECT i.id FROM "Image" i
    WHERE i."projectId" = ${run.projectId}::uuid AND i.state <> 'ACCEPTED'
      AND NOT EXISTS (SELECT 1 FROM "ModelRunImage" m WHERE m."runId" = ${runId}::uuid AND m."imageId" = i.id AND m.trained)
    ORDER BY i.id`;
  return rows.map((r) => r.id);
}

/**
 * The quality gate (PROTOCOL.md, "Blind by content"): the round's models (architecture +
 * encoder) whose held-out pixel F1, pooled over their folds, is below the project's threshold.
 */
export async function gateFailures(
  tx: Prisma.TransactionClient | ReturnType<typeof db>,
  roundId: string,
  threshold: number,
): Promise<GateFailure[]> {
  const runs = await tx.modelRun.findMany({
    where: { roundId },
    select: { id: true, arch: true, encoder: true, fold: true, metrics: true },
    orderBy: [{ arch: "asc" }, { encoder: "asc" }, { fold: "asc" }],
  });
  return failingModels(
    runs.map((r) => {
      const pixel = parseRunMetrics(r.metrics)?.pixel;
      return {
        runId: r.id,
        arch: r.arch,
        encoder: r.encoder,
        f1: typeof pixel?.f1.value === "number" ? pixel.f1.value : null,
        ...(pixel ? { tp: pixel.confusion.tp, fp: pixel.confusion.fp, fn: pixel.confusion.fn } : {}),
      };
    }),
    threshold,
  );
}

/** Where the gate stands for the project's latest round: for the dashboard and the vote page. */
export async function qualityGateStatus(projectId: string) {
  const project = await db().project.findUnique({ where: { id: projectId }, select: { qualityGateF1: true } });
  if (!project) throw new AppError("NOT_FOUND", "Project not found");
  const round = await db().round.findFirst({ where: { projectId }, orderBy: { number: "desc" } });
  if (!round)
    return {
      threshold: project.qualityGateF1,
      roundId: null,
      held: false,
      overriddenAt: null,
      failing: [] as GateFailure[],
      advice: null,
    };
  const failing = await gateFailures(db(), round.id, project.qualityGateF1);
  const held =
    failing.length > 0 &&
    !round.gateOverrideAt &&
    (round.status === "TRAINING" || round.status === "PREDICTING") &&
    (await db().auditLog.count({ where: { objectType: "Round", objectId: round.id, action: "round.gate_held" } })) > 0;
  return {
    threshold: project.qualityGateF1,
    roundId: round.id,
    held,
    overriddenAt: round.gateOverrideAt?.toISOString() ?? null,
    failing,
    advice: failing.length ? GATE_ADVICE : null,
  };
}
