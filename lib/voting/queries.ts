import "server-only";
import { db } from "../db/client";
import { AppError } from "../errors/app-error";
import { requireProjectRole } from "../auth/authorize";
import type { Actor } from "../auth/types";
import type { NothingReason } from "./types";

/** The storage key behind one position of a voter's own open ballot. */
export async function ballotCandidateKey(actor: Actor, ballotId: string, position: number): Promise<string> {
  const ballot = await db().ballot.findUnique({ where: { id: ballotId } });
  if (!ballot || ballot.voterId !== actor.userId) throw new AppError("NOT_FOUND", "Not found");
  const candidateId = ballot.shownOrder[position - 1];
  if (!candidateId) throw new AppError("NOT_FOUND", "Not found");
  const c = await db().candidate.findUniqueOrThrow({
    where: { id: candidateId },
    select: { maskId: true, shownMaskId: true },
  });
  const m = await db().mask.findUniqueOrThrow({
    where: { id: c.shownMaskId ?? c.maskId },
    select: { storageKey: true },
  });
  return m.storageKey;
}

export async function ballotImage(actor: Actor, ballotId: string) {
  const ballot = await db().ballot.findUnique({ where: { id: ballotId } });
  if (!ballot || ballot.voterId !== actor.userId) throw new AppError("NOT_FOUND", "Not found");
  const img = await db().image.findUniqueOrThrow({
    where: { id: ballot.imageId },
    select: { storageKey: true, projectId: true, id: true },
  });
  return img;
}

/**
 * Sources of an image's candidates with their votes: leads only, and only once the image's
 * vote is closed (blinding holds until then).
 */
export async function revealCandidates(actor: Actor, imageId: string) {
  const image = await db().image.findUnique({ where: { id: imageId } });
  if (!image) throw new AppError("NOT_FOUND", "Image not found");
  await requireProjectRole(actor, image.projectId, ["LEAD"]);
  if (image.state === "AWAITING_VOTE")
    throw new AppError("FORBIDDEN", "Sources are revealed only after the vote on this image is closed");
  const cands = await db().candidate.findMany({ where: { imageId }, orderBy: { createdAt: "asc" } });
  const masks = await db().mask.findMany({
    where: { id: { in: cands.map((c) => c.maskId) } },
    include: { modelRun: true },
  });
  const votes = await db().vote.findMany({ where: { imageId } });
  // A merged candidate shared a position with the one it agreed with: votes for that
  // position count for every source it stood for.
  return cands.map((c) => {
    const m = masks.find((x) => x.id === c.maskId)!;
    const position = c.mergedIntoId ?? c.id;
    return {
      candidateId: c.id,
      roundId: c.roundId,
      mergedIntoId: c.mergedIntoId,
      withheld: c.withheld,
      normalisedDice: c.normalisedDice,
      kind: m.kind,
      authorId: m.authorId,
      model: m.modelRun
        ? {
            runId: m.modelRun.id,
            arch: m.modelRun.arch,
            encoder: m.modelRun.encoder,
            fold: m.modelRun.fold,
            weightsSha256: m.modelRun.weightsSha256,
          }
        : null,
      votes: votes.filter((v) => v.candidateId === position).length,
    };
  });
}

/** A candidate's mask for a lead once the image's vote is closed (for settling disputes). */
export async function revealedCandidateKey(actor: Actor, imageId: string, candidateId: string): Promise<string> {
  const image = await db().image.findUnique({ where: { id: imageId } });
  if (!image) throw new AppError("NOT_FOUND", "Image not found");
  await requireProjectRole(actor, image.projectId, ["LEAD"]);
  if (image.state === "AWAITING_VOTE")
    throw new AppError("FORBIDDEN", "Sources are revealed only after the vote on this image is closed");
  const c = await db().candidate.findFirst({ where: { id: candidateId, imageId } });
  if (!c) throw new AppError("NOT_FOUND", "Candidate not found");
  return (await db().mask.findUniqueOrThrow({ where: { id: c.maskId }, select: { storageKey: true } })).storageKey;
}

/**
 * Why the voter has no ballot now, for the vote page: no round yet, models still training
 * (or the quality gate holding the vote), images left that wait for other MDs (held by them,
 * or drawn by this voter), or the round's vote complete.
 */
export async function nothingToVoteReason(
  actor: Actor,
  projectId: string,
): Promise<{ reason: NothingReason; message: string }> {
  const rows = await db().$queryRaw<{ status: string | null; gate: boolean; waiting: boolean }[]>`
    SELECT r.status::text AS status,
           (r."gateOverrideAt" IS NULL AND EXISTS (SELECT 1 FROM "AuditLog" a WHERE a."objectType" = 'Round' AND a."objectId" = r.id::text AND a.action = 'round.gate_held')) AS gate,
           EXISTS (SELECT 1 FROM "Image" i WHERE i."projectId" = ${projectId}::uuid AND i.state = 'AWAITING_VOTE'
                     AND NOT EXISTS (SELECT 1 FROM "Vote" v WHERE v."roundId" = r.id AND v."imageId" = i.id AND v."voterId" = ${actor.userId}::uuid)) AS waiting
    FROM (SELECT 1) one
    LEFT JOIN LATERAL (SELECT id, status, "gateOverrideAt" FROM "Round" WHERE "projectId" = ${projectId}::uuid ORDER BY number DESC LIMIT 1) r ON TRUE`;
  const r = rows[0];
  if (!r?.status) return { reason: "NO_ROUND", message: "No round has started yet." };
  if (r.status === "DRAWING")
    return {
      reason: "MODELS_TRAINING",
      message: "Manual masks are still being drawn; the vote opens once the models have trained on them.",
    };
  if ((r.status === "TRAINING" || r.status === "PREDICTING") && r.gate)
    return {
      reason: "QUALITY_GATE",
      message:
        "The vote is held: some models scored below the project's quality gate. The lead decides on the dashboard (retrain, or open the vote anyway).",
    };
  if (r.status === "TRAINING" || r.status === "PREDICTING")
    return {
      reason: "MODELS_TRAINING",
      message: "Models are training: the vote opens when their candidates are ready.",
    };
  if (r.status === "VOTING" && r.waiting)
    return {
      reason: "WAITING_FOR_OTHERS",
      message:
        "The images left are with other MDs (being voted on, or drawn by you and waiting for another MD). Check back shortly.",
    };
  return { reason: "ROUND_COMPLETE", message: "This round's vote is complete. Thank you." };
}
