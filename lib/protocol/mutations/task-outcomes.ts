// What a submitted drawing task does to its image.
import "server-only";
import type { Tx } from "./project-lock";
import { acceptGroundTruth } from "./ground-truth";
import { reopenRedraw, sendToConfirmation } from "./redraws";
import { maybeCloseRound } from "./rounds";

/**
 * After an MD submits a drawing task (called in the drawing transaction): a manual Stage-I
 * mask waits for training; a redraw is accepted, or goes to a second MD when the project
 * asks for confirmation; a confirmation accepts or sends the image back to be redrawn.
 */
export async function afterTaskSubmitted(
  tx: Tx,
  task: {
    id: string;
    projectId: string;
    imageId: string;
    roundId: string | null;
    kind: "MANUAL" | "REDRAW" | "CONFIRM";
    assigneeId: string | null;
  },
  outcome: { maskId?: string; approved?: boolean },
) {
  const project = await tx.project.findUniqueOrThrow({ where: { id: task.projectId } });
  const round = task.roundId ? await tx.round.findUnique({ where: { id: task.roundId } }) : null;
  // What an accepted redraw or confirmation records besides its mask, decision and source.
  const accepted = {
    projectId: task.projectId,
    imageId: task.imageId,
    roundId: task.roundId,
    stage: round?.stage ?? null,
    decidedById: task.assigneeId,
  };
  if (task.kind === "MANUAL") {
    await tx.image.update({ where: { id: task.imageId }, data: { state: "AWAITING_CANDIDATES" } });
    return;
  }
  if (task.kind === "REDRAW") {
    if (project.redrawNeedsConfirmation) {
      await sendToConfirmation(tx, task, outcome.maskId!);
      return;
    }
    await acceptGroundTruth(tx, { ...accepted, maskId: outcome.maskId!, decision: "REDRAWN", sourceKind: "REDRAW" });
  } else {
    const confirm = await tx.task.findUniqueOrThrow({ where: { id: task.id } });
    if (outcome.approved) {
      // A style-normalised mask reports the kind of the original it renders.
      const [start] = await tx.$queryRaw<{ kind: "MANUAL" | "MACHINE" | "REDRAW" }[]>`
        SELECT COALESCE(o.kind, m.kind)::text AS kind FROM "Mask" m LEFT JOIN "Mask" o ON o.id = m."normalisedFromId" WHERE m.id = ${confirm.startMaskId!}::uuid`;
      await acceptGroundTruth(tx, {
        ...accepted,
        maskId: confirm.startMaskId!,
        decision: "CONFIRMED",
        sourceKind: start.kind,
      });
    } else {
      await reopenRedraw(tx, task.projectId, task.imageId, task.roundId);
    }
  }
  if (task.roundId) await maybeCloseRound(tx, task.roundId);
}
