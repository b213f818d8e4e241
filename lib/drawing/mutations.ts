import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { AppError } from "../errors/app-error";
import { recordAudit } from "../audit/mutations";
import { requireProjectRole } from "../auth/authorize";
import type { Actor } from "../auth/types";
import { store } from "../storage/store";
import { createMask } from "../masks/mutations";
import { afterTaskSubmitted } from "../protocol/mutations";
import { claimSchema, confirmSchema, saveDraftSchema, skipSchema, submitSchema } from "./schema";
import { decodeUploadedMask, draftKey } from "./mask-input";
import { encodeBilevelPng } from "./bilevel-png";
import { claimableTask, ownClaimedTask, STALE_CLAIM_MS, taskForWriter, taskView, type TaskRow } from "./queries";
import type { ConfirmResult, SaveDraftResult, SubmitResult, TaskView } from "./types";
import type { z } from "zod";

type Tx = Prisma.TransactionClient;

// Submits encode and store a full-resolution PNG inside the transaction.
const TX = { timeout: 30_000, maxWait: 15_000 };

async function lockTask(tx: Tx, taskId: string) {
  await tx.$queryRaw`SELECT id FROM "Task" WHERE id = ${taskId}::uuid FOR UPDATE`;
  return tx.task.findUniqueOrThrow({ where: { id: taskId } });
}

function assertMine(actor: Actor, task: TaskRow) {
  if (task.assigneeId !== actor.userId) throw new AppError("FORBIDDEN", "This task is assigned to another MD");
}

function assertDrawing(task: TaskRow) {
  if (task.kind === "CONFIRM")
    throw new AppError("BAD_REQUEST", "A confirmation task is approved or rejected, not drawn");
  if (task.status === "DONE") throw new AppError("CONFLICT", "This task was already submitted");
  if (task.status !== "CLAIMED") throw new AppError("CONFLICT", "Claim this task before drawing on it");
}

const forget = (k: string | null | undefined) =>
  k
    ? store()
        .delete(k)
        .catch(() => undefined)
    : undefined;

/**
 * The MD's next task: their own unfinished claim first, else the oldest free task (open, a
 * stale claim, or skipped by someone else), confirmations and redraws before manual masks.
 * SKIP LOCKED lets parallel claims pass each other without ever taking the same row.
 */
export async function claimNextTask(
  actor: Actor,
  projectId: string,
  input: z.input<typeof claimSchema> = {},
): Promise<TaskView | null> {
  await requireProjectRole(actor, projectId, ["MD"]);
  const { kinds } = claimSchema.parse(input);
  const staleBefore = new Date(Date.now() - STALE_CLAIM_MS);
  const taskId = await db().$transaction(async (tx) => {
    // Parallel calls from one MD queue up here, so they all get the same single task.
    await tx.$queryRaw`SELECT 1 AS ok FROM (SELECT pg_advisory_xact_lock(hashtextextended(${`claim:${projectId}:${actor.userId}`}, 0))) s`;
    const own = await ownClaimedTask(tx, actor.userId, projectId, kinds);
    if (own) {
      await tx.task.update({ where: { id: own.id }, data: { claimedAt: new Date() } });
      return own.id;
    }
    const rows = await tx.$queryRaw<{ id: string; status: string; assigneeId: string | null }[]>`
      SELECT t.id, t.status::text AS status, t."assigneeId" FROM "Task" t
      WHERE ${claimableTask(projectId, actor.userId, kinds, staleBefore)}
      ORDER BY (t.status = 'SKIPPED'), CASE t.kind WHEN 'CONFIRM' THEN 0 WHEN 'REDRAW' THEN 1 ELSE 2 END, t."createdAt", t.id
      LIMIT 1
      FOR UPDATE OF t SKIP LOCKED`;
    const pick = rows[0];
    if (!pick) return null;
    await tx.task.update({
      where: { id: pick.id },
      data: { status: "CLAIMED", assigneeId: actor.userId, claimedAt: new Date() },
    });
    // A reclaimed task keeps its draft: the new MD continues it, the old holder's next save is refused.
    await tx.draft.updateMany({
      where: { taskId: pick.id },
      data: { userId: actor.userId, version: { increment: 1 } },
    });
    await recordAudit(
      {
        action: "task.claim",
        objectType: "Task",
        objectId: pick.id,
        projectId,
        actorId: actor.userId,
        before: { status: pick.status, assigneeId: pick.assigneeId },
      },
      tx,
    );
    return pick.id;
  }, TX);
  return taskId ? taskView(actor, taskId) : null;
}

/** Gives a task back with a reason; the skipping MD is not offered it again, others are. */
export async function skipTask(actor: Actor, taskId: string, input: z.input<typeof skipSchema>) {
  const { reason } = skipSchema.parse(input);
  await taskForWriter(actor, taskId);
  const dropped = await db().$transaction(async (tx) => {
    const task = await lockTask(tx, taskId);
    assertMine(actor, task);
    if (task.status !== "CLAIMED") throw new AppError("CONFLICT", "Only a task you are working on can be skipped");
    const draft = await tx.draft.findUnique({ where: { taskId } });
    if (draft) await tx.draft.delete({ where: { taskId } });
    await tx.task.update({ where: { id: taskId }, data: { status: "SKIPPED", skipReason: reason, claimedAt: null } });
    await recordAudit(
      {
        action: "task.skip",
        objectType: "Task",
        objectId: taskId,
        projectId: task.projectId,
        actorId: actor.userId,
        after: { reason, draftVersion: draft?.version ?? null },
      },
      tx,
    );
    return draft?.storageKey;
  }, TX);
  await forget(dropped);
  return { taskId, status: "SKIPPED" as const };
}

/**
 * Saves the draft mask with optimistic locking: baseVersion must be the stored version, else
 * CONFLICT and nothing is written. A retry of a save that succeeded (same idempotency key)
 * returns the version it created instead of a conflict.
 */
export async function saveDraft(
  actor: Actor,
  taskId: string,
  png: Uint8Array,
  input: z.input<typeof saveDraftSchema>,
): Promise<SaveDraftResult> {
  const opts = saveDraftSchema.parse(input);
  const task = await taskForWriter(actor, taskId);
  assertDrawing(task);
  const image = await db().image.findUniqueOrThrow({
    where: { id: task.imageId },
    select: { width: true, height: true },
  });
  const m = await decodeUploadedMask(png, image);
  // Re-encoded by us (nothing of the upload is stored as sent), in the fast 1-bit form.
  const bytes = encodeBilevelPng(m.mask, m.width, m.height);
  const stored = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const saveKey = opts.idempotencyKey ?? randomUUID();
  const result = await db().$transaction(async (tx) => {
    const t = await lockTask(tx, taskId);
    assertMine(actor, t);
    assertDrawing(t);
    const draft = await tx.draft.findUnique({ where: { taskId } });
    const current = draft?.version ?? 0;
    if (opts.baseVersion !== current) {
      const replay =
        draft &&
        opts.idempotencyKey &&
        current === opts.baseVersion + 1 &&
        draft.userId === actor.userId &&
        draft.storageKey === draftKey(t.projectId, taskId, current, opts.idempotencyKey);
      if (replay) return { version: current, replayed: true, previous: null };
      throw new AppError(
        "CONFLICT",
        `This draft was saved elsewhere (version ${current}; yours is based on ${opts.baseVersion}). Nothing was overwritten.`,
        { version: current },
      );
    }
    const version = current + 1;
    const storageKey = draftKey(t.projectId, taskId, version, saveKey);
    // Object first, row second: a crash in between leaves an orphan object, never a dangling row.
    await store().put(storageKey, stored, { contentType: "image/png" });
    const elapsedMs = Math.max(opts.elapsedMs, draft?.elapsedMs ?? 0);
    if (draft) {
      await tx.draft.update({
        where: { taskId },
        data: { version, storageKey, elapsedMs, userId: actor.userId, updatedAt: new Date() },
      });
    } else {
      await tx.draft.create({
        data: {
          projectId: t.projectId,
          imageId: t.imageId,
          taskId,
          userId: actor.userId,
          storageKey,
          version,
          elapsedMs,
        },
      });
    }
    return { version, replayed: false, previous: draft?.storageKey ?? null };
  }, TX);
  await forget(result.previous);
  return { version: result.version, replayed: result.replayed };
}

/**
 * Submits the drawn mask: one Mask per task however often it is sent (double click, retry
 * after a lost response or a new sign-in), then the protocol moves the image on.
 */
export async function submitTask(
  actor: Actor,
  taskId: string,
  png: Uint8Array,
  input: z.input<typeof submitSchema>,
): Promise<SubmitResult> {
  const opts = submitSchema.parse(input);
  const task = await taskForWriter(actor, taskId);
  if (task.status === "DONE" && task.maskId) return { taskId, maskId: task.maskId, replayed: true };
  assertDrawing(task);
  const image = await db().image.findUniqueOrThrow({
    where: { id: task.imageId },
    select: { width: true, height: true },
  });
  const m = await decodeUploadedMask(png, image);
  const version = opts.provenance?.interactiveModelVersion;
  if (
    version != null &&
    !(await db().interactiveModel.findUnique({
      where: { projectId_version: { projectId: task.projectId, version } },
      select: { id: true },
    }))
  ) {
    throw new AppError("BAD_REQUEST", `Click model version ${version} does not exist in this project`);
  }
  const result = await db().$transaction(async (tx) => {
    const t = await lockTask(tx, taskId);
    assertMine(actor, t);
    if (t.status === "DONE" && t.maskId) return { maskId: t.maskId, replayed: true, draftKey: null };
    assertDrawing(t);
    const draft = await tx.draft.findUnique({ where: { taskId } });
    const elapsedMs = Math.max(opts.elapsedMs, draft?.elapsedMs ?? 0);
    // A redraw sent back by a rejected confirmation reuses its task; the earlier mask keeps the link.
    const earlier = await tx.mask.findUnique({ where: { taskId }, select: { id: true } });
    const mask = await createMask(tx, {
      projectId: t.projectId,
      imageId: t.imageId,
      kind: t.kind === "REDRAW" ? "REDRAW" : "MANUAL",
      mask: m.mask,
      width: m.width,
      height: m.height,
      authorId: actor.userId,
      roundId: t.roundId,
      taskId: earlier ? null : t.id,
      elapsedMs,
      provenance: opts.provenance,
    });
    await tx.task.update({
      where: { id: taskId },
      data: { status: "DONE", doneAt: new Date(), maskId: mask.id, elapsedMs },
    });
    if (draft) await tx.draft.delete({ where: { taskId } });
    await afterTaskSubmitted(tx, t, { maskId: mask.id });
    await recordAudit(
      {
        action: "task.submit",
        objectType: "Task",
        objectId: taskId,
        projectId: t.projectId,
        actorId: actor.userId,
        after: { maskId: mask.id, kind: mask.kind, area: mask.area, elapsedMs, idempotencyKey: opts.idempotencyKey },
      },
      tx,
    );
    return { maskId: mask.id, replayed: false, draftKey: draft?.storageKey ?? null };
  }, TX);
  await forget(result.draftKey);
  return { taskId, maskId: result.maskId, replayed: result.replayed };
}

/** A second MD approves or rejects a redraw; repeating the call returns the first answer. */
export async function confirmTask(
  actor: Actor,
  taskId: string,
  input: z.input<typeof confirmSchema>,
): Promise<ConfirmResult> {
  const opts = confirmSchema.parse(input);
  const task = await taskForWriter(actor, taskId);
  if (task.kind !== "CONFIRM") throw new AppError("BAD_REQUEST", "Only a confirmation task is approved or rejected");
  const result = await db().$transaction(async (tx) => {
    const t = await lockTask(tx, taskId);
    assertMine(actor, t);
    // An approval keeps the confirmed mask on the task; a rejection leaves it empty.
    if (t.status === "DONE") return { approved: t.maskId !== null, replayed: true };
    if (t.status !== "CLAIMED") throw new AppError("CONFLICT", "Claim this task before answering it");
    const start = t.startMaskId
      ? await tx.mask.findUnique({ where: { id: t.startMaskId }, select: { authorId: true } })
      : null;
    if (!start) throw new AppError("CONFLICT", "This confirmation has no mask to judge");
    if (start.authorId === actor.userId) throw new AppError("FORBIDDEN", "A redraw is confirmed by a different MD");
    await tx.task.update({
      where: { id: taskId },
      data: {
        status: "DONE",
        doneAt: new Date(),
        maskId: opts.approved ? t.startMaskId : null,
        elapsedMs: opts.elapsedMs,
      },
    });
    await afterTaskSubmitted(tx, t, { approved: opts.approved });
    await recordAudit(
      {
        action: "task.confirm",
        objectType: "Task",
        objectId: taskId,
        projectId: t.projectId,
        actorId: actor.userId,
        after: {
          approved: opts.approved,
          maskId: t.startMaskId,
          elapsedMs: opts.elapsedMs,
          idempotencyKey: opts.idempotencyKey,
        },
      },
      tx,
    );
    return { approved: opts.approved, replayed: false };
  }, TX);
  return { taskId, ...result };
}
