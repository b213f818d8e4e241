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
import { recordAudit } from "../audit/mutations";
import * as ort from "onnxruntime-node";
import { loadClickModel } from "./click-model";
import { storedMeta } from "./trained-model";
import { MAX_CLICK_MODEL_BYTES } from "./limits";
import { importNoteSchema, retrainSettingSchema } from "./schema";
import type { ClickModelMeta } from "./types";
import type { z } from "zod";

/** The trainer's meta.json fields the server keeps with each model version. */
export type InteractiveMeta = {
  size: number;
  click_radius_fraction: number;
  min_click_radius: number;
  [k: string]: unknown;
};

function checkModelSize(bytes: Uint8Array) {
  if (bytes.length > MAX_CLICK_MODEL_BYTES)
    throw new AppError(
      "TOO_LARGE",
      `The click model is ${(bytes.length / 2 ** 20).toFixed(1)} MiB; the limit is ${MAX_CLICK_MODEL_BYTES / 2 ** 20} MiB (MDs' browsers download it)`,
    );
}

/**
 * Stores a trained click model as the project's next version (object first, row second: a crash
 * in between leaves an orphan object, never a row without its file).
 */
export async function registerInteractiveModel(
  projectId: string,
  m: {
    bytes: Uint8Array;
    meta: InteractiveMeta;
    trainedOnMasks: number;
    origin?: { kind: "TRAINED" | "IMPORTED"; note: string };
  },
) {
  checkModelSize(m.bytes);
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
        origin: m.origin?.kind ?? "TRAINED",
        originNote: m.origin?.note ?? null,
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

/**
 * A lead brings a pre-trained click model (the trainer's out folder: interactive.onnx and its
 * meta.json, e.g. the one `npm run bench interactive` trains on cxr-train) into the project as its
 * next version. The file must match the SHA-256 its meta.json records and run once, giving
 * a map of the right size, before it is stored. Its `trainedOnMasks` is the project's accepted
 * count now, so the retrain rule waits for N new masks as after a retraining.
 */
export async function importInteractiveModel(
  actor: Actor,
  projectId: string,
  m: { bytes: Uint8Array; meta: ClickModelMeta; sha256: string; note?: string },
) {
  const note = importNoteSchema.parse(m.note);
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const sha256 = createHash("sha256").update(m.bytes).digest("hex");
  if (sha256 !== m.sha256)
    throw new AppError(
      "BAD_REQUEST",
      `interactive.onnx has SHA-256 ${sha256.slice(0, 12)}…, but its meta.json says ${m.sha256.slice(0, 12)}…: the copy is damaged or the files are from different runs`,
    );
  checkModelSize(m.bytes);
  await checkClickModelRuns(m.bytes, m.meta);
  const acceptedMasks = await db().groundTruth.count({ where: { projectId, isCurrent: true, maskId: { not: null } } });
  const origin = `trainer version ${m.meta.version}, sha256 ${sha256.slice(0, 12)}${note ? `; ${note}` : ""}`;
  const row = await registerInteractiveModel(projectId, {
    bytes: m.bytes,
    meta: storedMeta(m.meta),
    trainedOnMasks: acceptedMasks,
    origin: { kind: "IMPORTED", note: origin },
  });
  await recordAudit({
    action: "interactive_model.import",
    objectType: "InteractiveModel",
    objectId: row.id,
    actorId: actor.userId,
    projectId,
    after: { version: row.version, sha256, trainerVersion: m.meta.version, note: note ?? null },
  });
  return row;
}

/** One run on a blank image (no clicks): the model must load, take the two inputs and give a size × size map. */
async function checkClickModelRuns(bytes: Uint8Array, meta: ClickModelMeta) {
  let model: Awaited<ReturnType<typeof loadClickModel>>;
  try {
    model = await loadClickModel(bytes, meta);
  } catch (e) {
    throw new AppError("BAD_REQUEST", `interactive.onnx is not a click model Tandem can run: ${(e as Error).message}`);
  }
  const s = meta.size;
  let dims: readonly number[] | undefined;
  try {
    const out = await model.session.run({
      image: new ort.Tensor("float32", new Float32Array(s * s), [1, 1, s, s]),
      clicks: new ort.Tensor("float32", new Float32Array(3 * s * s), [1, 3, s, s]),
    });
    dims = out.prob?.dims;
  } catch (e) {
    throw new AppError("BAD_REQUEST", `interactive.onnx did not run at size ${s}: ${(e as Error).message}`);
  } finally {
    await model.session.release();
  }
  if (dims?.join("×") !== `1×1×${s}×${s}`)
    throw new AppError(
      "BAD_REQUEST",
      `interactive.onnx gives ${dims ? `prob ${dims.join("×")}` : "no prob output"}, expected prob 1×1×${s}×${s}`,
    );
}
