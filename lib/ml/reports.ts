import type { Actor } from "../auth/types";
import { buildEvaluationReport, type NetworkReport } from "./evaluation-report";
import { runForReport, runsForStageReport } from "./queries";
import { evaluateClassifier, type ClassifierEvaluation, type ImageScore } from "./classification-evaluation";
import { runTaskFromMetrics } from "./run-task";
import { foldLabel } from "./fold";

export type StageName = "STAGE_I" | "STAGE_II";

export type EvaluationReportResult = {
  title: string;
  projectId: string;
  networks: NetworkReport[];
  /** An image-level classifier's held-out evaluation (Deep-COVID's threshold table and curves). */
  classifier?: ClassifierEvaluation | null;
};

/** The classifier's held-out per-image probabilities in its metrics.json, evaluated; null without both classes. */
export function classifierReport(metrics: unknown): ClassifierEvaluation | null {
  const rows = (metrics as { val_per_image?: unknown } | null)?.val_per_image;
  if (!Array.isArray(rows)) return null;
  const images: ImageScore[] = rows
    .filter(
      (r): r is { id: string; label: string; prob: number } => typeof r?.id === "string" && typeof r?.prob === "number",
    )
    .map((r) => ({ id: r.id, label: r.label === "covid" ? 1 : 0, prob: r.prob }));
  const pos = images.filter((i) => i.label === 1).length;
  return pos && pos < images.length ? evaluateClassifier(images) : null;
}

const stageTitle = (s: StageName) => (s === "STAGE_I" ? "Stage I" : "Stage II");

type RunRow = Awaited<ReturnType<typeof runsForStageReport>>[number];
const asReportRun = (r: RunRow) => ({
  id: r.id,
  arch: r.arch,
  encoder: r.encoder,
  fold: r.fold,
  roundNumber: r.round?.number ?? null,
  metrics: r.metrics,
});

/** The evaluation report of one training run. */
export async function runReport(actor: Actor, runId: string): Promise<EvaluationReportResult> {
  const run = await runForReport(actor, runId);
  const where = run.round ? `${stageTitle(run.round.stage)}, round ${run.round.number}` : "no round";
  const fold = run.fold !== null ? `, ${foldLabel(run.fold)}` : "";
  const title = `${run.arch}/${run.encoder}${fold} (${where})`;
  if (runTaskFromMetrics(run.metrics) === "classify")
    return {
      title: `${title}, classifier`,
      projectId: run.projectId,
      networks: [],
      classifier: classifierReport(run.metrics),
    };
  return { title, projectId: run.projectId, networks: buildEvaluationReport([asReportRun(run)]) };
}

/** A stage's report (Tables 2/3 for Stage I, Table 6 for Stage II): every network, per fold or round. */
export async function stageReport(
  actor: Actor,
  projectId: string,
  stage: StageName,
  roundId?: string,
): Promise<EvaluationReportResult> {
  const runs = await runsForStageReport(actor, projectId, { stage, roundId });
  const round = roundId && runs[0]?.round ? `, round ${runs[0].round.number}` : "";
  return { title: `${stageTitle(stage)}${round}`, projectId, networks: buildEvaluationReport(runs.map(asReportRun)) };
}
