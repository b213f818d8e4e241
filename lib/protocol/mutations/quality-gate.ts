import "server-only";
import { db } from "../../db/client";
import { AppError } from "../../errors/app-error";
import { recordAudit } from "../../audit/mutations";
import { requireProjectRole } from "../../auth/authorize";
import type { Actor } from "../../auth/types";
import { gateFailures } from "../queries";
import { maybeOpenVoting } from "./rounds";

/** The lead opens the vote although models failed the gate; recorded with the failures. */
export async function overrideQualityGate(actor: Actor, projectId: string) {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const round = await db().round.findFirst({ where: { projectId }, orderBy: { number: "desc" } });
  if (!round || (round.status !== "TRAINING" && round.status !== "PREDICTING"))
    throw new AppError("CONFLICT", "No round is waiting for its vote to open");
  const project = await db().project.findUniqueOrThrow({ where: { id: projectId }, select: { qualityGateF1: true } });
  const failing = await gateFailures(db(), round.id, project.qualityGateF1);
  if (!failing.length) throw new AppError("CONFLICT", "Every model passes the quality gate: nothing to override");
  await db().$transaction(async (tx) => {
    await tx.round.update({
      where: { id: round.id },
      data: { gateOverrideById: actor.userId, gateOverrideAt: new Date() },
    });
    await recordAudit(
      {
        action: "round.gate_override",
        objectType: "Round",
        objectId: round.id,
        projectId,
        actorId: actor.userId,
        after: { threshold: project.qualityGateF1, failing },
      },
      tx,
    );
  });
  const opened = await maybeOpenVoting(round.id);
  return { roundId: round.id, opened };
}
