import type { Actor } from "../auth/types";
import { buildEvaluationReport, type NetworkReport } from "./evaluation-report";
import {
  classifierGroupRuns,
  labelledImagesWithTruth,
  projectClassifierRuns,
  runForReport,
  runsForStageReport,
  segmentationHeldOutPredictions,
} from "./queries";
import {
  combinedReport,
  evaluateClassifier,
  type ClassifierEvaluation,
  type ComparedMethod,
  type ImageScore,
} from "./classification-evaluation";
import { isAppError } from "../errors/app-error";
import { loadMask } from "../masks/queries";
import { isClassifierConfig, type ClassifierTrainConfig } from "../protocol/types";
import { store } from "../storage/store";
import { cachedClassifier } from "./classifier-cache";
import { exampleMaps, grayRaster } from "./classifier-examples";
import { camAgreementSummary, pickExamples, pooledOof } from "./classifier-oof";
import { detectCalibrated } from "./detection";
import { detectionRuleFromMetrics, inputSizeFromMetrics } from "./model-card";
import { decodeProbabilityPng } from "./probability-png";
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
      title: `${run.arch} classifier${fold} (${where})`,
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

/** How many example images of each kind the classifier report draws maps for. */
const EXAMPLES_PER_KIND = 2;

async function classifierModelOf(run: {
  id: string;
  weightsSha256: string | null;
  artifactKey: string | null;
  metrics: unknown;
  arch: string;
  fold: number | null;
}) {
  const size = inputSizeFromMetrics(run.metrics) ?? 224;
  return cachedClassifier(run.weightsSha256 ?? run.id, size, `model ${run.arch} ${foldLabel(run.fold)}`, () =>
    store().get(run.artifactKey!),
  );
}

/**
 * A classifier training across its folds: the out-of-fold threshold table and curves, the CAM's
 * agreement with the accepted masks, and a grid of example maps (CAM and occlusion) drawn by the
 * fold model that held each image out.
 */
export async function classifierTrainingReport(actor: Actor, runId: string) {
  const run = await runForReport(actor, runId);
  if (!isClassifierConfig(run.config)) return null;
  const runs = await classifierGroupRuns(actor, run.projectId, run.config.group);
  const oof = pooledOof(runs);
  const positives = oof.images.filter((i) => i.label === 1).length;
  const evaluation = oof.complete && positives && positives < oof.images.length ? evaluateClassifier(oof.images) : null;
  const picked = oof.complete ? pickExamples(oof.images, EXAMPLES_PER_KIND) : [];
  const images = new Map(
    (
      await labelledImagesWithTruth(
        actor,
        run.projectId,
        picked.map((p) => p.id),
      )
    ).map((i) => [i.id, i]),
  );
  const examples = [];
  for (const ex of picked) {
    const image = images.get(ex.id);
    const foldRun = runs.find((r) => r.id === ex.runId);
    if (!image || !foldRun?.artifactKey) continue;
    const model = await classifierModelOf(foldRun);
    const cxr = await grayRaster(await store().get(image.storageKey));
    const mask = image.maskKey ? await loadMask(image.maskKey) : null;
    const maps = await exampleMaps(cxr, model, mask);
    examples.push({
      id: ex.id,
      kind: ex.kind,
      fold: foldRun.fold,
      prob: ex.prob,
      cxrSrc: `data:image/png;base64,${maps.cxrPng.toString("base64")}`,
      camSrc: `data:image/png;base64,${maps.camPng.toString("base64")}`,
      occlusionSrc: `data:image/png;base64,${maps.occlusionPng.toString("base64")}`,
      cam: maps.cam,
      occlusion: maps.occlusion,
    });
  }
  return {
    arch: run.arch,
    preset: run.config.preset,
    folds: runs.length,
    foldsDone: oof.done,
    complete: oof.complete,
    evaluation,
    camAgreement: camAgreementSummary(oof.images),
    examples,
  };
}

export type ClassifierTrainingReport = NonNullable<Awaited<ReturnType<typeof classifierTrainingReport>>>;

/**
 * The combined report: segmentation-based detection (the paper's any-pixel rule and each
 * network's calibrated rule, on each image's first prediction by a model that did not train on
 * it: Stage-I out-of-fold, or a Stage-II round) and every finished classifier
 * training (out-of-fold probabilities), side by side on the images all of them scored, with
 * each classifier's CAM agreement with the accepted masks.
 */
export async function combinedProjectReport(actor: Actor, projectId: string, threshold = 0.5) {
  const classifierRuns = await projectClassifierRuns(actor, projectId);
  const groups = new Map<string, typeof classifierRuns>();
  for (const r of classifierRuns) {
    if (!isClassifierConfig(r.config)) continue;
    groups.set(r.config.group, [...(groups.get(r.config.group) ?? []), r]);
  }
  const methods: ComparedMethod[] = [];
  const agreement: { name: string; summary: ReturnType<typeof camAgreementSummary> }[] = [];
  const notes: string[] = [];
  for (const runs of groups.values()) {
    const cfg = runs[0].config as ClassifierTrainConfig;
    const name = `${runs[0].arch} classifier (${cfg.preset}, ${runs[0].createdAt.toISOString().slice(0, 16).replace("T", " ")})`;
    if (runs.length < cfg.folds) {
      notes.push(`${name}: ${runs.length} of ${cfg.folds} folds finished, left out`);
      continue;
    }
    const oof = pooledOof(runs);
    methods.push({ name, kind: "classifier", images: oof.images });
    agreement.push({ name, summary: camAgreementSummary(oof.images) });
  }
  const seg = await segmentationHeldOutPredictions(actor, projectId);
  // Segmentation-based detection on Stage I (COVID-19 only) and the Stage-II rounds (controls too).
  const labels = new Map(
    (await labelledImagesWithTruth(actor, projectId, [...new Set(seg.masks.map((m) => m.imageId))])).map((i) => [
      i.id,
      i.label,
    ]),
  );
  // Per network, each image's first prediction (Stage-I out-of-fold, else the first Stage-II
  // round that predicted it, before any model trained on it).
  const byNetwork = new Map<string, typeof seg.runs>();
  for (const r of seg.runs) {
    const k = `${r.arch}/${r.encoder}`;
    byNetwork.set(k, [...(byNetwork.get(k) ?? []), r]);
  }
  for (const [network, runs] of byNetwork) {
    const order = new Map(runs.map((r, i) => [r.id, i]));
    const rules = new Map(runs.map((r) => [r.id, detectionRuleFromMetrics(r.metrics)]));
    const first = new Map<string, (typeof seg.masks)[number]>();
    for (const m of seg.masks
      .filter((m) => order.has(m.modelRunId!) && labels.has(m.imageId) && labels.get(m.imageId) !== "UNKNOWN")
      .sort((a, b) => order.get(a.modelRunId!)! - order.get(b.modelRunId!)!))
      if (!first.has(m.imageId)) first.set(m.imageId, m);
    const masks = [...first.values()];
    const label = (imageId: string): 0 | 1 => (labels.get(imageId) === "COVID" ? 1 : 0);
    methods.push({
      name: `${network}: paper's any-pixel rule`,
      kind: "rule",
      images: masks.map((m) => ({ id: m.imageId, label: label(m.imageId), positive: m.area > 0 })),
    });
    if (masks.length && masks.every((m) => m.probKey && rules.get(m.modelRunId!))) {
      const calls = [];
      for (const m of masks) {
        const { prob } = await decodeProbabilityPng(await store().get(m.probKey!));
        const call = detectCalibrated(prob, rules.get(m.modelRunId!)!, m.presence);
        if (!call) break; // a presence rule on a map stored without its presence probability
        calls.push({ id: m.imageId, label: label(m.imageId), positive: call.positive });
      }
      if (calls.length === masks.length)
        methods.push({ name: `${network}: calibrated rule`, kind: "rule", images: calls });
      else notes.push(`${network}: predictions stored without the presence probability its calibrated rule needs`);
    } else notes.push(`${network}: no calibrated rule or probability maps, only the any-pixel rule`);
  }
  if (!methods.length)
    return {
      threshold,
      comparison: null,
      agreement,
      notes,
      reason: "No finished classifier training or Stage-I segmentation predictions yet.",
    };
  try {
    return { threshold, comparison: combinedReport(methods, threshold), agreement, notes, reason: null };
  } catch (e) {
    if (isAppError(e)) return { threshold, comparison: null, agreement, notes, reason: e.message };
    throw e;
  }
}
