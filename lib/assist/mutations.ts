import "server-only";
import { createHash } from "node:crypto";
import { db } from "../db/client";
import { uuidv7 } from "../db/uuid";
import { store } from "../storage/store";
import { key } from "../storage/keys";
import { requireProjectRole } from "../auth/authorize";
import type { Actor } from "../auth/types";
import { AppError } from "../errors/app-error";
import { enqueue } from "../jobs/queue";
import { retrainSettingSchema } from "./schema";
import type { z } from "zod";

/** The trainer's meta.json fields the server keeps with each model version. */
export type InteractiveMeta = {
  size: number;
  click_radius_fraction: number;
  min_click_radius: number;
  [k: string]: unknown;
};

/**
 * Stores a trained click model as the project's next version (object first, row second: a crash
 * in between leaves an orphan object, never a row without its file).
 */
export async function registerInteractiveModel(
  projectId: string,
  m: { bytes: Uint8Array; meta: InteractiveMeta; trainedOnMasks: number },
) {
  const id = uuidv7();
  const storageKey = key("projects", projectId, "interactive", `${id}.onnx`);
  await store().put(storageKey, Buffer.from(m.bytes), { contentType: "application/octet-stream" });
  const sha256 = createHash("sha256").update(m.bytes).digest("hex");
  return db().$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 AS ok FROM (SELECT pg_advisory_xact_lock(hashtextextended(${`interactive:${projectId}`}, 0))) s`;
    const last = await tx.interactiveModel.findFirst({
      where: { projectId },
      orderBy: { version: "desc" },
      select: { version: true },
    });
    return tx.interactiveModel.create({
      data: {
        id,
        projectId,
        version: (last?.version ?? 0) + 1,
        storageKey,
        sha256,
        meta: m.meta as never,
        trainedOnMasks: m.trainedOnMasks,
      },
    });
  });
}

/** Lead setting: retrain the click model after every `every` newly accepted masks (null = off). */
export async function setInteractiveRetrain(
  actor: Actor,
  projectId: string,
  input: z.input<typeof retrainSettingSchema>,
) {
  const { every } = retrainSettingSchema.parse(input);
  await requireProjectRole(actor, projectId, ["LEAD"]);
  await db().project.update({ where: { id: projectId }, data: { interactiveRetrainEvery: every } });
  return { every };
}

/** A lead asks for a click model now, on every mask accepted so far (one job per mask count). */
export async function requestInteractiveTraining(actor: Actor, projectId: string) {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const acceptedMasks = await db().groundTruth.count({ where: { projectId, isCurrent: true, maskId: { not: null } } });
  if (!acceptedMasks)
    throw new AppError("CONFLICT", "No mask has been accepted yet: the click model learns from accepted masks");
  const job = await enqueue(
    "interactive_train",
    { projectId, acceptedMasks },
    { singletonKey: `interactive-train:${projectId}:lead:${acceptedMasks}`, projectId },
  );
  return { jobId: job.id, acceptedMasks, queued: job.created };
}
