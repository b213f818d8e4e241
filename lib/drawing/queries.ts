import "server-only";
import { createHash } from "node:crypto";
import { db } from "../db/client";
import { Prisma } from "../db/generated/client";
import { AppError } from "../errors/app-error";
import { requireProjectRole, requireRoleOnObject } from "../auth/authorize";
import type { Actor } from "../auth/types";
import { store } from "../storage/store";
import type { TaskView } from "./types";

type Tx = Prisma.TransactionClient;
export type TaskRow = Awaited<ReturnType<typeof findTask>>;

async function findTask(taskId: string, tx: Tx = db()) {
  const task = await tx.task.findUnique({ where: { id: taskId } });
  if (!task) throw new AppError("NOT_FOUND", "Task not found");
  return task;
}

/**
 * A task the actor may work on: an MD of the project who holds the claim. A non-member gets
 * NOT_FOUND (ids reveal nothing), a member without the MD role or another MD gets FORBIDDEN.
 */
export async function taskForWriter(actor: Actor, taskId: string, tx: Tx = db()) {
  const task = await findTask(taskId, tx);
  await requireRoleOnObject(actor, task.projectId, ["MD"], "Task");
  if (task.assigneeId !== actor.userId) throw new AppError("FORBIDDEN", "This task is assigned to another MD");
  return task;
}

/** Readers: the assignee, or a lead of the project. */
async function taskForReader(actor: Actor, taskId: string) {
  const task = await findTask(taskId);
  const roles = await requireRoleOnObject(actor, task.projectId, ["MD", "LEAD"], "Task");
  if (task.assigneeId !== actor.userId && !roles.includes("LEAD"))
    throw new AppError("FORBIDDEN", "This task is assigned to another MD");
  return task;
}

/**
 * Masks an MD may start from, in an order fixed per task but unrelated to where they came
 * from (a hash, not creation time), so a redraw does not learn which candidate was machine-made.
 */
async function startMaskIds(task: {
  id: string;
  kind: string;
  imageId: string;
  roundId: string | null;
  startMaskId: string | null;
}): Promise<string[]> {
  if (task.kind === "CONFIRM") return task.startMaskId ? [task.startMaskId] : [];
  if (task.kind !== "REDRAW") return [];
  const candidates = task.roundId
    ? await db().candidate.findMany({
        where: { roundId: task.roundId, imageId: task.imageId },
        select: { maskId: true },
      })
    : [];
  const ids = new Set([...(task.startMaskId ? [task.startMaskId] : []), ...candidates.map((c) => c.maskId)]);
  const rank = (id: string) => createHash("sha256").update(`${task.id}:${id}`).digest("hex");
  return [...ids].sort((a, b) => (rank(a) < rank(b) ? -1 : 1));
}

export async function taskView(actor: Actor, taskId: string): Promise<TaskView> {
  const task = await findTask(taskId);
  const [image, draft, starts] = await Promise.all([
    db().image.findUniqueOrThrow({ where: { id: task.imageId }, select: { id: true, width: true, height: true } }),
    db().draft.findUnique({ where: { taskId } }),
    startMaskIds(task),
  ]);
  return {
    id: task.id,
    projectId: task.projectId,
    kind: task.kind,
    status: task.status,
    assignedToMe: task.assigneeId === actor.userId,
    claimedAt: task.claimedAt?.toISOString() ?? null,
    image,
    draft: draft
      ? {
          version: draft.version,
          elapsedMs: draft.elapsedMs,
          updatedAt: draft.updatedAt.toISOString(),
          hasMask: !!draft.storageKey,
        }
      : null,
    startMasks: starts.length,
    maskId: task.maskId,
    elapsedMs: task.elapsedMs,
  };
}

export async function getTaskForActor(actor: Actor, taskId: string): Promise<TaskView> {
  await taskForReader(actor, taskId);
  return taskView(actor, taskId);
}

/** The saved draft's PNG and version; NOT_FOUND while nothing has been saved. */
export async function getDraftPng(actor: Actor, taskId: string): Promise<{ png: Buffer; version: number }> {
  await taskForReader(actor, taskId);
  // A save landing between reading the row and the object deletes the old object: read again.
  for (let attempt = 0; ; attempt++) {
    const draft = await db().draft.findUnique({ where: { taskId } });
    if (!draft?.storageKey) throw new AppError("NOT_FOUND", "No draft saved yet");
    try {
      return { png: await store().get(draft.storageKey), version: draft.version };
    } catch (e) {
      if (attempt >= 2) throw e;
    }
  }
}

/** The n-th mask the task may start from (see startMaskIds), as its canonical PNG. */
export async function getStartMaskPng(actor: Actor, taskId: string, index: number): Promise<Buffer> {
  const task = await taskForReader(actor, taskId);
  const ids = await startMaskIds(task);
  const maskId = ids[index];
  if (!maskId) throw new AppError("NOT_FOUND", "No such start mask");
  const mask = await db().mask.findUniqueOrThrow({ where: { id: maskId }, select: { storageKey: true } });
  return store().get(mask.storageKey);
}

/** The actor's unfinished claimed task in the project, if any. */
export async function ownClaimedTask(tx: Tx, userId: string, projectId: string, kinds: string[]) {
  return tx.task.findFirst({
    where: {
      projectId,
      assigneeId: userId,
      status: "CLAIMED",
      kind: { in: kinds as ("MANUAL" | "REDRAW" | "CONFIRM")[] },
    },
    orderBy: { claimedAt: "asc" },
  });
}

/** A claim untouched this long (and with no draft saved in it) is free for another MD. */
export const STALE_CLAIM_MS = 2 * 60 * 60 * 1000;

/**
 * The condition on "Task" t for a task `userId` may claim now: open, a stale claim, or skipped by
 * someone else; never a confirmation of their own mask. The claim and the queue count share it.
 */
export function claimableTask(
  projectId: string,
  userId: string,
  kinds: readonly string[],
  staleBefore: Date,
): Prisma.Sql {
  return Prisma.sql`t."projectId" = ${projectId}::uuid
        AND t.kind::text = ANY(${kinds}::text[])
        AND (
          t.status = 'OPEN'
          OR (t.status = 'CLAIMED' AND t."claimedAt" < ${staleBefore}
              AND NOT EXISTS (SELECT 1 FROM "Draft" d WHERE d."taskId" = t.id AND d."updatedAt" >= ${staleBefore}))
          OR (t.status = 'SKIPPED' AND NOT EXISTS (
              SELECT 1 FROM "AuditLog" a WHERE a."objectType" = 'Task' AND a."objectId" = t.id::text
                AND a.action = 'task.skip' AND a."actorId" = ${userId}::uuid))
        )
        AND NOT (t.kind = 'CONFIRM' AND EXISTS (
              SELECT 1 FROM "Mask" m WHERE m.id = t."startMaskId" AND m."authorId" = ${userId}::uuid))`;
}

/** Images left in the MD's queue: the task they hold plus every task they could claim next. */
export async function queueLeft(actor: Actor, projectId: string, kinds: readonly string[]): Promise<number> {
  await requireProjectRole(actor, projectId, ["MD"]);
  const staleBefore = new Date(Date.now() - STALE_CLAIM_MS);
  const [row] = await db().$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM "Task" t
    WHERE (${claimableTask(projectId, actor.userId, kinds, staleBefore)})
       OR (t."projectId" = ${projectId}::uuid AND t.status = 'CLAIMED' AND t."assigneeId" = ${actor.userId}::uuid AND t.kind::text = ANY(${kinds}::text[]))`;
  return row.n;
}
