// Images sent back to an MD: redraw tasks and confirmation by a second MD.
import "server-only";
import type { Tx } from "./project-lock";

/** A second MD (never the mask's author) approves or rejects the mask before it is accepted. */
export async function sendToConfirmation(
  tx: Tx,
  t: { projectId: string; imageId: string; roundId: string | null },
  maskId: string,
) {
  await tx.image.update({ where: { id: t.imageId }, data: { state: "AWAITING_CONFIRMATION" } });
  // One CONFIRM task per image and round: a redraw after a rejected confirmation reopens it.
  const prior = await tx.task.findFirst({ where: { imageId: t.imageId, roundId: t.roundId, kind: "CONFIRM" } });
  if (prior) {
    await tx.task.update({
      where: { id: prior.id },
      data: { status: "OPEN", assigneeId: null, claimedAt: null, doneAt: null, maskId: null, startMaskId: maskId },
    });
  } else {
    await tx.task.create({
      data: { projectId: t.projectId, imageId: t.imageId, roundId: t.roundId, kind: "CONFIRM", startMaskId: maskId },
    });
  }
}

/** Sends an image to be drawn by hand (all candidates rejected, or a redraw not confirmed). */
export async function reopenRedraw(tx: Tx, projectId: string, imageId: string, roundId: string | null) {
  await tx.image.update({ where: { id: imageId }, data: { state: "AWAITING_REDRAW" } });
  const open = await tx.task.findFirst({
    where: { imageId, roundId, kind: "REDRAW", status: { in: ["OPEN", "CLAIMED"] } },
  });
  if (open) return open;
  const previous = await tx.task.count({ where: { imageId, roundId, kind: "REDRAW" } });
  // The unique (image, round, kind) key allows one redraw task per round; later attempts reuse it.
  if (previous) {
    const t = await tx.task.findFirstOrThrow({ where: { imageId, roundId, kind: "REDRAW" } });
    return tx.task.update({
      where: { id: t.id },
      data: { status: "OPEN", assigneeId: null, claimedAt: null, doneAt: null, maskId: null },
    });
  }
  return tx.task.create({ data: { projectId, imageId, roundId, kind: "REDRAW" } });
}
