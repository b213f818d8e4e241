import "server-only";
import { db } from "../db/client";
import { AppError } from "../errors/app-error";
import type { Actor } from "../auth/types";
import { requireProjectRole } from "../auth/authorize";
import { taskForWriter } from "../drawing/queries";
import { decodeUploadedMask } from "../drawing/mask-input";
import { encodeBilevelPng } from "../drawing/bilevel-png";
import { propose } from "./click-model";
import { cachedClickImage, cachedClickModel } from "./model-store";
import { store } from "../storage/store";
import { browserRuntime } from "./browser-runtime";
import { MAX_CLICK_MODEL_BYTES } from "./limits";
import { proposeSchema } from "./schema";
import type { AssistStatus, ClickModelMeta } from "./types";
import type { z } from "zod";

export type Proposal = { mask: string; width: number; height: number; modelVersion: number; ms: number };

function metaOf(row: { version: number; meta: unknown }): ClickModelMeta {
  const m = row.meta as { size: number; click_radius_fraction: number; min_click_radius: number };
  return {
    size: m.size,
    clickRadiusFraction: m.click_radius_fraction,
    minClickRadius: m.min_click_radius,
    version: String(row.version),
  };
}

export async function latestInteractiveModel(projectId: string) {
  return db().interactiveModel.findFirst({ where: { projectId }, orderBy: { version: "desc" } });
}

/**
 * What the workspace needs to offer the Smart tool: the current model version, if any, and how
 * the browser runs it itself (the model file's address and hash, its click settings, the runtime).
 */
export async function assistStatus(actor: Actor, taskId: string): Promise<AssistStatus> {
  const task = await taskForWriter(actor, taskId);
  const row = await latestInteractiveModel(task.projectId);
  if (!row) return { modelVersion: null, browser: null };
  const meta = metaOf(row);
  return {
    modelVersion: row.version,
    browser: {
      url: `/api/projects/${task.projectId}/interactive/models/${row.version}`,
      sha256: row.sha256,
      size: meta.size,
      clickRadiusFraction: meta.clickRadiusFraction,
      minClickRadius: meta.minClickRadius,
      runtime: await browserRuntime(),
    },
  };
}

/**
 * A click model's file, for the browser to run it: only for someone holding a drawing task of
 * the project (a non-member gets NOT_FOUND, a member without one FORBIDDEN). Versions never
 * change, so the answer may be cached for good.
 */
export async function clickModelFile(
  actor: Actor,
  projectId: string,
  version: number,
): Promise<{ bytes: Buffer; sha256: string }> {
  await requireProjectRole(actor, projectId, ["MD"]);
  const holding = await db().task.count({
    where: { projectId, assigneeId: actor.userId, status: "CLAIMED", kind: { in: ["MANUAL", "REDRAW"] } },
  });
  if (!holding)
    throw new AppError("FORBIDDEN", "Only an MD holding a drawing task in this project may download its click model");
  const row = await db().interactiveModel.findUnique({
    where: { projectId_version: { projectId, version } },
    select: { storageKey: true, sha256: true },
  });
  if (!row) throw new AppError("NOT_FOUND", `This project has no click model version ${version}`);
  const bytes = await store().get(row.storageKey);
  if (bytes.length > MAX_CLICK_MODEL_BYTES)
    throw new AppError("TOO_LARGE", "This click model is too large to send to a browser");
  return { bytes, sha256: row.sha256 };
}

/**
 * One Smart-tool step for the MD holding the task: the proposal for all clicks so far on top of
 * `current` (the committed mask or the previous proposal), as a 1-bit PNG at native size.
 */
export async function proposeForTask(
  actor: Actor,
  taskId: string,
  input: z.input<typeof proposeSchema>,
): Promise<Proposal> {
  const { clicks, current } = proposeSchema.parse(input);
  const task = await taskForWriter(actor, taskId);
  if (task.kind === "CONFIRM")
    throw new AppError("BAD_REQUEST", "A confirmation task is approved or rejected, not drawn");
  if (task.status !== "CLAIMED") throw new AppError("CONFLICT", "Claim this task before drawing on it");
  const row = await latestInteractiveModel(task.projectId);
  if (!row)
    throw new AppError("CONFLICT", "This project has no click model yet: a lead trains one from accepted masks first");
  const image = await db().image.findUniqueOrThrow({
    where: { id: task.imageId },
    select: { id: true, storageKey: true, width: true, height: true },
  });
  for (const [n, c] of clicks.entries()) {
    if (c.x >= image.width || c.y >= image.height) {
      throw new AppError(
        "BAD_REQUEST",
        `clicks[${n}] at (${c.x}, ${c.y}) is outside the ${image.width}×${image.height} image`,
      );
    }
  }
  const base = current ? (await decodeUploadedMask(Buffer.from(current, "base64"), image)).mask : null;
  const meta = metaOf(row);
  const [model, prepared] = await Promise.all([cachedClickModel(row, meta), cachedClickImage(image, meta.size)]);
  const t0 = performance.now();
  const mask = await propose(model, prepared, clicks, base);
  const ms = performance.now() - t0;
  const png = encodeBilevelPng(mask, image.width, image.height, 1);
  return {
    mask: Buffer.from(png).toString("base64"),
    width: image.width,
    height: image.height,
    modelVersion: row.version,
    ms: Math.round(ms),
  };
}

/** The masks the click model learns from: every current accepted mask of the project. */
export async function interactiveTrainingInputs(projectId: string) {
  const gts = await db().groundTruth.findMany({
    where: { projectId, isCurrent: true, maskId: { not: null } },
    select: { imageId: true, maskId: true },
    orderBy: { imageId: "asc" },
  });
  const [images, masks, last] = await Promise.all([
    db().image.findMany({ where: { id: { in: gts.map((g) => g.imageId) } }, select: { id: true, storageKey: true } }),
    db().mask.findMany({ where: { id: { in: gts.map((g) => g.maskId!) } }, select: { id: true, storageKey: true } }),
    latestInteractiveModel(projectId),
  ]);
  const imageKey = new Map(images.map((i) => [i.id, i.storageKey]));
  const maskKey = new Map(masks.map((m) => [m.id, m.storageKey]));
  return {
    items: gts.map((g) => ({
      imageId: g.imageId,
      imageKey: imageKey.get(g.imageId)!,
      maskKey: maskKey.get(g.maskId!)!,
    })),
    latestTrainedOn: last?.trainedOnMasks ?? null,
  };
}

export type SmartToolSummary = {
  retrainEvery: number | null;
  acceptedMasks: number;
  models: {
    version: number;
    trainedOnMasks: number;
    origin: "TRAINED" | "IMPORTED";
    originNote: string | null;
    createdAt: string;
  }[];
  /** Drawn masks (manual and redraws) and how many of them the Smart tool helped make, per model version. */
  drawnMasks: number;
  smartMasks: { version: number; masks: number; clicks: number }[];
  /** The newest click-model training job not finished yet, if any. */
  pendingJob: { id: string; status: string; acceptedMasks: number } | null;
};

/** The dashboard's Smart-tool panel (leads): model versions, the retrain rule and which masks used which version. */
export async function smartToolSummary(actor: Actor, projectId: string): Promise<SmartToolSummary> {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const [project, acceptedMasks, models, drawnMasks, smart, job] = await Promise.all([
    db().project.findUniqueOrThrow({ where: { id: projectId }, select: { interactiveRetrainEvery: true } }),
    db().groundTruth.count({ where: { projectId, isCurrent: true, maskId: { not: null } } }),
    db().interactiveModel.findMany({
      where: { projectId },
      orderBy: { version: "desc" },
      select: { version: true, trainedOnMasks: true, origin: true, originNote: true, createdAt: true },
    }),
    db().mask.count({ where: { projectId, kind: { in: ["MANUAL", "REDRAW"] } } }),
    db().$queryRaw<{ version: number; masks: number; clicks: number }[]>`
      SELECT (provenance->>'interactiveModelVersion')::int AS version, count(*)::int AS masks,
             coalesce(sum((provenance->>'smartClicks')::int), 0)::int AS clicks
      FROM "Mask"
      WHERE "projectId" = ${projectId}::uuid AND kind IN ('MANUAL', 'REDRAW')
        AND provenance->>'interactiveModelVersion' IS NOT NULL
      GROUP BY 1 ORDER BY 1`,
    db().job.findFirst({
      where: { projectId, name: "interactive_train", status: { in: ["QUEUED", "RUNNING"] } },
      orderBy: { createdAt: "desc" },
      select: { id: true, status: true, payload: true },
    }),
  ]);
  return {
    retrainEvery: project.interactiveRetrainEvery,
    acceptedMasks,
    models: models.map((m) => ({ ...m, createdAt: m.createdAt.toISOString() })),
    drawnMasks,
    smartMasks: smart,
    pendingJob: job
      ? { id: job.id, status: job.status, acceptedMasks: (job.payload as { acceptedMasks: number }).acceptedMasks }
      : null,
  };
}
