import type { Actor } from "../auth/types";
import { buildEvaluationReport, type NetworkReport } from "./evaluation-report";
import { runForReport, runsForStageReport } from "./queries";
import { foldLabel } from "./fold";

export type StageName = "STAGE_I" | "STAGE_II";

export type EvaluationReportResult = {
  title: string;
  projectId: string;
  networks: NetworkReport[];
};

const stageTitle = (s: StageName) => (s === "STAGE_I" ? "Stage I" : "Stage II");

type RunRow = Awaited<ReturnType<typeof runsForStageReport>>[number];
const asReportRun = (r: RunRow) => ({ id: r.id, arch: r.arch, encoder: r.encoder, fold: r.fold, roundNumber: r.round?.number ?? null, metrics: r.metrics });

/** The evaluation report of one training run. */
export async function runReport(actor: Actor, runId: string): Promise<EvaluationReportResult> {
  const run = await runForReport(actor, runId);
  const where = run.round ? `${stageTitle(run.round.stage)}, round ${run.round.number}` : "no round";
  const fold = run.fold !== null ? `, ${foldLabel(run.fold)}` : "";
  return { title: `${run.arch}/${run.encoder}${fold} (${where})`, projectId: run.projectId, networks: buildEvaluationReport([asReportRun(run)]) };
}

/** A stage's report (Tables 2/3 for Stage I, Table 6 for Stage II): every network, per fold or round. */
export async function stageReport(actor: Actor, projectId: string, stage: StageName, roundId?: string): Promise<EvaluationReportResult> {
  const runs = await runsForStageReport(actor, projectId, { stage, roundId });
  const round = roundId && runs[0]?.round ? `, round ${runs[0].round.number}` : "";
  return { title: `${stageTitle(stage)}${round}`, projectId, networks: buildEvaluationReport(runs.map(asReportRun)) };
}
