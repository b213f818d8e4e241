import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { AppError } from "../errors/app-error";
import { recordAudit } from "../audit/mutations";
import { requireProjectRole } from "../auth/authorize";
import type { Actor } from "../auth/types";
import { parseRunMetrics } from "../ml/run-metrics";

type Tx = Prisma.TransactionClient | ReturnType<typeof db>;

export type GateFailure = { runId: string; arch: string; encoder: string; fold: number | null; f1: number };

/**
 * The quality gate (PROTOCOL.md, "Blind by content"): the round's models whose held-out
 * (out-of-fold) pixel F1 is below the project's threshold. A run without a held-out score
 * (Stage II trains on everything) is not judged.
 */
export async function gateFailures(tx: Tx, roundId: string, threshold: number): Promise<GateFailure[]> {
  const runs = await tx.modelRun.findMany({ where: { roundId }, select: { id: true, arch: true, encoder: true, fold: true, metrics: true }, orderBy: [{ arch: "asc" }, { encoder: "asc" }, { fold: "asc" }] });
  const out: GateFailure[] = [];
  for (const r of runs) {
    const f1 = parseRunMetrics(r.metrics)?.pixel.f1.value;
    if (typeof f1 === "number" && f1 < threshold) out.push({ runId: r.id, arch: r.arch, encoder: r.encoder, fold: r.fold, f1 });
  }
  return out;
}

export const GATE_ADVICE =
  "Models below the quality gate would put poor candidates to the vote. Add Stage-I masks (a larger subset), choose a bigger network preset or more epochs and retrain — or, as lead, open the vote anyway (recorded in the audit log).";

/** Where the gate stands for the project's latest round: for the dashboard and the vote page. */
export async function qualityGateStatus(projectId: string) {
  const project = await db().project.findUnique({ where: { id: projectId }, select: { qualityGateF1: true } });
  if (!project) throw new AppError("NOT_FOUND", "Project not found");
  const round = await db().round.findFirst({ where: { projectId }, orderBy: { number: "desc" } });
  if (!round) return { threshold: project.qualityGateF1, roundId: null, held: false, overriddenAt: null, failing: [] as GateFailure[], advice: null };
  const failing = await gateFailures(db(), round.id, project.qualityGateF1);
  const held = failing.length > 0 && !round.gateOverrideAt && (round.status === "TRAINING" || round.status === "PREDICTING")
    && (await db().auditLog.count({ where: { objectType: "Round", objectId: round.id, action: "round.gate_held" } })) > 0;
  return { threshold: project.qualityGateF1, roundId: round.id, held, overriddenAt: round.gateOverrideAt?.toISOString() ?? null, failing, advice: failing.length ? GATE_ADVICE : null };
}

/** The lead opens the vote although models failed the gate; recorded with the failures. */
export async function overrideQualityGate(actor: Actor, projectId: string) {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const round = await db().round.findFirst({ where: { projectId }, orderBy: { number: "desc" } });
  if (!round || (round.status !== "TRAINING" && round.status !== "PREDICTING")) throw new AppError("CONFLICT", "No round is waiting for its vote to open");
  const project = await db().project.findUniqueOrThrow({ where: { id: projectId }, select: { qualityGateF1: true } });
  const failing = await gateFailures(db(), round.id, project.qualityGateF1);
  if (!failing.length) throw new AppError("CONFLICT", "Every model passes the quality gate: nothing to override");
  await db().$transaction(async (tx) => {
    await tx.round.update({ where: { id: round.id }, data: { gateOverrideById: actor.userId, gateOverrideAt: new Date() } });
    await recordAudit({ action: "round.gate_override", objectType: "Round", objectId: round.id, projectId, actorId: actor.userId, after: { threshold: project.qualityGateF1, failing } }, tx);
  });
  const { maybeOpenVoting } = await import("./mutations");
  const opened = await maybeOpenVoting(round.id);
  return { roundId: round.id, opened };
}
