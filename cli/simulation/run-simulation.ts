import { randomUUID } from "node:crypto";
import { createUser } from "../../lib/auth/mutations";
import type { Actor } from "../../lib/auth/types";
import { createProject, addMember } from "../../lib/projects/mutations";
import { decodeImage } from "../../lib/images/decode-image";
import { storeImage } from "../../lib/images/mutations";
import { selectStage1Subset, startStage1, startStage1Training, startStage2Round } from "../../lib/protocol/mutations";
import { claimNextTask, confirmTask, submitTask } from "../../lib/drawing/mutations";
import { getStartMaskPng } from "../../lib/drawing/queries";
import { castVote, nextBallot } from "../../lib/voting/mutations";
import { overrideQualityGate } from "../../lib/protocol/mutations";
import { qualityGateStatus } from "../../lib/protocol/queries";
import type { SelectionMode } from "../../lib/projects/enums";
import { ballotCandidateKey, ballotImage } from "../../lib/voting/queries";
import { openImageCount } from "../../lib/protocol/queries";
import { loadMask } from "../../lib/masks/queries";
import { decodeMaskPng, encodeMaskPng } from "../../lib/masks/png-codec";
import { DEFAULT_PANEL, type ReaderProfile } from "../../lib/simulate/reader-profile";
import { closestCandidate, drawFromReading, editFromCandidate, maskWork } from "../../lib/simulate/reader-draw";
import { smartDrawFromReading, type ClickStep } from "../../lib/simulate/reader-smart";
import { registerInteractiveModel } from "../../lib/assist/mutations";
import { latestInteractiveModel } from "../../lib/assist/queries";
import { loadClickModel, prepareClickImage, propose, type ClickImage } from "../../lib/assist/click-model";
import type { ClickModelMeta } from "../../lib/assist/types";
import { votePairwise, voteNWay, wouldAccept } from "../../lib/simulate/reader-vote";
import {
  actionSeconds,
  DEFAULT_TIME_MODEL,
  expectedSeconds,
  type TimedAction,
  type TimeModel,
} from "../../lib/simulate/time-model";
import { drainJobs } from "./drain-jobs";
import { drainStubJobs } from "./drain-stub-jobs";
import { Readings } from "./readings";
import { manualArm } from "./manual-arm";
import { buildReport, type SimulationReport } from "./report";
import { saveSimulationRun } from "../../lib/simulate/mutations";
import type { SimulationRunOptions } from "../../lib/simulate/types";
import type { SimImage } from "./sources";
import type { DrawingProvenance } from "../../lib/assist/provenance";

/** Trained candidate models (the real trainer), or a stub of a set quality (1 = the truth). */
export type CandidateModels = { kind: "trained" } | { kind: "stub"; quality: number };

export type SimulationOptions = {
  images: SimImage[];
  s1Size: number;
  folds: number;
  stage1Archs: { arch: string; encoder: string }[];
  stage2Networks: { arch: string; encoder: string }[];
  train: { size: number; epochs: number; batchSize: number; lr: number; width?: number };
  maxStage2Rounds: number;
  seed: number;
  log: (m: string) => void;
  readers?: readonly ReaderProfile[];
  models?: CandidateModels;
  timeModel?: TimeModel;
  selectionMode?: SelectionMode;
  bootstrapReps?: number;
  /** Existing users added as leads of the simulated project, so they can open its report. */
  leadEmails?: string[];
  /**
   * A trained click model (the trainer's interactive out folder): registered as the project's
   * click model, which enables the Smart tool; the simulated MDs then draw Stage-I masks and
   * redraws with it whenever they expect it to be quicker than drawing or editing by hand.
   */
  clickModel?: { bytes: Uint8Array; meta: ClickModelMeta; label: string };
};

/** The settings a run used, as stored with its outcome and shown on its page. */
export function describeOptions(o: SimulationOptions): SimulationRunOptions {
  const models = o.models ?? { kind: "trained" };
  return {
    images: o.images.length,
    covidImages: o.images.filter((i) => i.label === "COVID").length,
    s1Size: o.s1Size,
    folds: o.folds,
    stage1Archs: o.stage1Archs.map((a) => `${a.arch}/${a.encoder}`),
    stage2Networks: o.stage2Networks.map((a) => `${a.arch}/${a.encoder}`),
    train: `${o.train.epochs} epochs at ${o.train.size} px, batch ${o.train.batchSize}, lr ${o.train.lr}${o.train.width ? `, width ${o.train.width}` : ""}`,
    maxStage2Rounds: o.maxStage2Rounds,
    seed: o.seed,
    readers: (o.readers ?? DEFAULT_PANEL).map((r) => r.name),
    models: models.kind === "stub" ? `stub models, quality ${models.quality}` : "trained models",
    selectionMode: o.selectionMode ?? "NWAY",
    bootstrapReps: o.bootstrapReps ?? 2000,
    smartTool: o.clickModel ? `click model ${o.clickModel.label}` : "off",
  };
}

/** The report, and the id of the stored run (its page: /simulations/<runId>). */
export type StoredSimulationReport = SimulationReport & { runId: string };

type Md = { actor: Actor; profile: ReaderProfile; votesCast: number };

/** What happened in the protocol arm, per image, as the simulated MDs lived it (no truth). */
export type Ledger = {
  seconds: Map<string, number>;
  byKind: { draw: number; edit: number; vote: number; confirm: number; smart: number };
  /** The reader who first worked on each image (drew it, or voted on it). */
  firstReader: Map<string, number>;
  /** The reader who drew (or redrew) the image's latest hand-made mask. */
  drawer: Map<string, number>;
  voters: Map<string, Set<number>>;
  redraws: { fromScratch: number; fromCandidate: number };
  /** Votes cast on an image by the reader who drew its hand-made candidate (blind by content forbids these). */
  votesOnOwnDrawing: number;
  /**
   * Drawings made with the Smart tool: clicks, their MD-seconds, and the seconds the same reader
   * would have spent on the same task by hand (drawing anew or editing the candidate, whichever
   * they would have chosen without the tool), with the same reader, image and task factors.
   */
  smart: { enabled: boolean; drawings: number; clicks: number; seconds: number; handSeconds: number };
};

/**
 * The protocol arm, headless, through Tandem's own domain functions: ingest → Stage-I subset →
 * manual drawings → Stage-I training → blinded votes → Stage-II rounds with rejections and
 * redraws. Simulated MDs act on their latent readings only; the report alone meets the truth and
 * compares with the paired draw-everything-by-hand arm.
 */
export async function runSimulation(o: SimulationOptions): Promise<StoredSimulationReport> {
  const t0 = Date.now();
  const readers = o.readers ?? DEFAULT_PANEL;
  const timeModel = o.timeModel ?? DEFAULT_TIME_MODEL;
  const models = o.models ?? { kind: "trained" };
  const tag = randomUUID().slice(0, 8);
  const admin = await createUser({ email: `sim-admin-${tag}@tandem.local`, name: "Simulation admin", isAdmin: true });
  const adminActor = { userId: admin.id, isAdmin: true };
  const lead = await createUser({ email: `sim-lead-${tag}@tandem.local`, name: "Simulated lead" });
  const leadActor = { userId: lead.id, isAdmin: false };
  const project = await createProject(adminActor, {
    name: `Simulation ${tag}`,
    slug: `sim-${tag}`,
    settings: {
      s1Size: o.s1Size,
      s1Seed: o.seed,
      folds: o.folds,
      stage1Archs: o.stage1Archs as never,
      stage2Networks: o.stage2Networks as never,
      votesPerImage: 1,
      selectionMode: o.selectionMode ?? "NWAY",
      trainConfig: { ...o.train, freezeEncoder: false, pretrained: null },
    },
  });
  await addMember(adminActor, project.id, { email: lead.email, roles: ["LEAD"] });
  for (const email of o.leadEmails ?? []) await addMember(adminActor, project.id, { email, roles: ["LEAD"] });
  const mds: Md[] = [];
  for (const [i, profile] of readers.entries()) {
    const u = await createUser({ email: `sim-md${i + 1}-${tag}@tandem.local`, name: `Simulated ${profile.name}` });
    await addMember(adminActor, project.id, { email: u.email, roles: ["MD"] });
    mds.push({ actor: { userId: u.id, isAdmin: false }, profile, votesCast: 0 });
  }

  o.log(`ingesting ${o.images.length} images`);
  const byId = new Map<string, SimImage>();
  for (const img of o.images) {
    const decoded = await decodeImage(img.png, {
      pseudonymKey: process.env.PSEUDONYM_KEY!,
      fileName: `${img.name}.png`,
    });
    const r = await storeImage(project.id, decoded, {
      originalName: img.name,
      label: img.label,
      patientPseudonym: img.patient,
      sourceDataset: img.source,
    });
    byId.set(r.id, img);
  }
  const readings = new Readings(byId);

  const ledger: Ledger = {
    seconds: new Map(),
    byKind: { draw: 0, edit: 0, vote: 0, confirm: 0, smart: 0 },
    firstReader: new Map(),
    drawer: new Map(),
    voters: new Map(),
    redraws: { fromScratch: 0, fromCandidate: 0 },
    votesOnOwnDrawing: 0,
    smart: { enabled: !!o.clickModel, drawings: 0, clicks: 0, seconds: 0, handSeconds: 0 },
  };
  const secondsFor = (imageId: string, mdIndex: number, a: TimedAction, taskKey: string) =>
    actionSeconds(
      a,
      { seed: o.seed, reader: mds[mdIndex].profile, imageKey: byId.get(imageId)!.name, taskKey },
      timeModel,
    );
  const spend = (imageId: string, mdIndex: number, a: TimedAction, taskKey: string) => {
    const s = secondsFor(imageId, mdIndex, a, taskKey);
    ledger.seconds.set(imageId, (ledger.seconds.get(imageId) ?? 0) + s);
    ledger.byKind[a.kind] += s;
    if (!ledger.firstReader.has(imageId)) ledger.firstReader.set(imageId, mdIndex);
    return s;
  };

  // The Smart tool, when the project has a click model: one ONNX session, each image prepared
  // once (the model sees the image; the simulated MD steers it from their own intended mask).
  if (o.clickModel) {
    await registerInteractiveModel(project.id, {
      bytes: o.clickModel.bytes,
      meta: {
        size: o.clickModel.meta.size,
        click_radius_fraction: o.clickModel.meta.clickRadiusFraction,
        min_click_radius: o.clickModel.meta.minClickRadius,
        trainer_version: o.clickModel.meta.version,
      },
      trainedOnMasks: 0,
    });
  }
  const clickRow = await latestInteractiveModel(project.id);
  const clickModel = clickRow && o.clickModel ? await loadClickModel(o.clickModel.bytes, o.clickModel.meta) : null;
  const prepared = new Map<string, ClickImage>();
  const clickStep = (imageId: string): ClickStep => {
    const model = clickModel!;
    let image = prepared.get(imageId);
    if (!image) {
      const img = byId.get(imageId)!;
      image = prepareClickImage(img.pixels, img.width, img.height, model.meta.size);
      prepared.set(imageId, image);
    }
    const ready = image;
    return (clicks, current) => propose(model, ready, clicks, current);
  };

  // Reproducible keys (ballot and task ids are random): image, stage and how many times before.
  const seen = new Map<string, number>();
  const nth = (k: string) => {
    const n = (seen.get(k) ?? 0) + 1;
    seen.set(k, n);
    return `${k}:${n}`;
  };
  // A reader's first drawing of an image is their "MANUAL" one, whatever the task: the same mask
  // and time as in the paired manual arm; later drawings of the same image are new attempts.
  const attempts = new Map<string, number>();
  const draw = async () => {
    let n = 0;
    for (let turn = 0; ; turn++) {
      let task = null;
      let mi = 0;
      for (let k = 0; k < mds.length && !task; k++) {
        mi = (turn + k) % mds.length;
        task = await claimNextTask(mds[mi].actor, project.id, { kinds: ["MANUAL", "REDRAW", "CONFIRM"] });
      }
      if (!task) break;
      const md = mds[mi];
      const img = byId.get(task.image.id)!;
      const reading = readings.of(md.profile, task.image.id);
      const starts: Uint8Array[] = [];
      for (let i = 0; i < task.startMasks; i++)
        starts.push((await decodeMaskPng(await getStartMaskPng(md.actor, task.id, i))).mask);
      if (task.kind === "CONFIRM") {
        const key = nth(`CONFIRM:${img.name}`);
        const approved = starts.length > 0 && wouldAccept(reading, starts[0], md.profile, key);
        const s = spend(task.image.id, mi, { kind: "confirm" }, key);
        await confirmTask(md.actor, task.id, {
          approved,
          elapsedMs: Math.round(s * 1000),
          idempotencyKey: `sim-${task.id}`,
        });
        n++;
        continue;
      }
      const ak = `${mi}:${task.image.id}`;
      const prior = attempts.get(ak) ?? 0;
      attempts.set(ak, prior + 1);
      const attempt = prior === 0 ? "MANUAL" : `REDRAW:${prior}`;
      const scratch = drawFromReading(reading, md.profile, attempt);
      let mask = scratch;
      let action: TimedAction = { kind: "draw", work: maskWork(scratch, img.width, img.height) };
      // The workspace lets the MD start from a rejected candidate: they do when fixing it looks quicker.
      const closest = closestCandidate(reading, starts);
      if (closest.index >= 0) {
        const edit = editFromCandidate(reading, starts[closest.index], md.profile, attempt);
        const editAction: TimedAction = { kind: "edit", work: edit.work };
        if (expectedSeconds(editAction, timeModel) < expectedSeconds(action, timeModel)) {
          mask = edit.mask;
          action = editAction;
        }
      }
      const hand = action;
      let provenance: DrawingProvenance | undefined;
      if (clickModel && clickRow) {
        // With the Smart tool the MD may also start from the candidate and correct it with clicks.
        const start = closest.index >= 0 && action.kind === "edit" ? starts[closest.index] : null;
        const smart = await smartDrawFromReading(reading, md.profile, clickStep(task.image.id), {
          attempt,
          start,
        });
        const smartAction: TimedAction = { kind: "smart", clicks: smart.clicks, work: smart.work };
        if (expectedSeconds(smartAction, timeModel) < expectedSeconds(action, timeModel)) {
          mask = smart.mask;
          action = smartAction;
          ledger.smart.drawings++;
          ledger.smart.clicks += smart.clicks;
          ledger.smart.handSeconds += secondsFor(task.image.id, mi, hand, attempt);
          provenance = {
            toolMs: { smart: 0 },
            smartClicks: smart.clicks,
            smartBrowserClicks: 0,
            smartAccepts: 1,
            interactiveModelVersion: clickRow.version,
            startedFrom: start ? "candidate" : "empty",
          };
        }
      }
      if (task.kind === "REDRAW") ledger.redraws[action.kind === "draw" ? "fromScratch" : "fromCandidate"]++;
      ledger.drawer.set(task.image.id, mi);
      const s = spend(task.image.id, mi, action, attempt);
      if (action.kind === "smart") {
        ledger.smart.seconds += s;
        provenance!.toolMs = { smart: Math.round(s * 1000) };
      }
      await submitTask(md.actor, task.id, encodeMaskPng(mask, img.width, img.height), {
        elapsedMs: Math.round(s * 1000),
        idempotencyKey: `sim-${task.id}`,
        provenance,
      });
      n++;
    }
    return n;
  };

  const vote = async (stage: "STAGE_I" | "STAGE_II") => {
    let n = 0;
    for (let turn = 0; ; turn++) {
      const next = await ballotForSomeone(mds, turn, project.id);
      if (!next) break;
      const { mi, ballot } = next;
      const md = mds[mi];
      const image = await ballotImage(md.actor, ballot.ballotId);
      const reading = readings.of(md.profile, image.id);
      const cands: Uint8Array[] = [];
      for (const c of ballot.candidates)
        cands.push((await loadMask(await ballotCandidateKey(md.actor, ballot.ballotId, c.position))).mask);
      const key = nth(`VOTE:${byId.get(image.id)!.name}:${stage}`);
      const ctx = { key, allowNone: stage === "STAGE_II", votesCast: md.votesCast };
      const v =
        ballot.mode === "PAIRWISE"
          ? votePairwise(reading, cands, md.profile, ctx)
          : voteNWay(reading, cands, md.profile, ctx);
      const s = spend(image.id, mi, { kind: "vote", candidates: cands.length }, key);
      md.votesCast++;
      if (ledger.drawer.get(image.id) === mi) ledger.votesOnOwnDrawing++;
      if (!ledger.voters.has(image.id)) ledger.voters.set(image.id, new Set());
      ledger.voters.get(image.id)!.add(mi);
      await castVote(md.actor, ballot.ballotId, {
        choice: v.choice === null ? null : v.choice + 1,
        durationMs: Math.round(s * 1000),
        idempotencyKey: `sim-${ballot.ballotId}`,
      });
      n++;
    }
    return n;
  };

  // Tiny simulated models may miss the quality gate: the simulated lead opens the vote anyway
  // (audited), as a lead who has seen the models' scores on the dashboard may.
  const openDespiteGate = async (what: string) => {
    const gate = await qualityGateStatus(project.id);
    if (!gate.held) return;
    o.log(
      `${what}: ${gate.failing.length} models below the quality gate (F1 < ${gate.threshold}); the lead opens the vote anyway`,
    );
    await overrideQualityGate(leadActor, project.id);
  };

  const runJobs = async (what: string) => {
    if (models.kind === "stub") return drainStubJobs(project.id, byId, models.quality);
    let last = "";
    await drainJobs(project.id, (c) => {
      const line = `${what}: ${c.SUCCEEDED ?? 0} jobs done, ${c.RUNNING ?? 0} running, ${c.QUEUED ?? 0} queued`;
      if (line !== last) o.log(`${line} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      last = line;
    });
  };

  await selectStage1Subset(leadActor, project.id, { size: o.s1Size, seed: o.seed });
  await startStage1(leadActor, project.id);
  o.log(`Stage I: simulated MDs drew ${await draw()} manual masks`);
  await startStage1Training(leadActor, project.id);
  await runJobs("Stage I training");
  await openDespiteGate("Stage I");
  o.log(`Stage I: ${await vote("STAGE_I")} blinded votes`);
  o.log(`Stage I: ${await draw()} redraws`);

  for (let round = 1; round <= o.maxStage2Rounds; round++) {
    const open = await openImageCount(project.id);
    if (open === 0) break;
    o.log(`Stage II round ${round}: ${open} images open`);
    await startStage2Round(leadActor, project.id);
    await runJobs(`Stage II round ${round}`);
    await openDespiteGate(`Stage II round ${round}`);
    o.log(`Stage II round ${round}: ${await vote("STAGE_II")} votes`);
    o.log(`Stage II round ${round}: ${await draw()} redraws and confirmations`);
  }
  const manual = manualArm({
    images: byId,
    readings,
    readers,
    firstReader: ledger.firstReader,
    drawer: ledger.drawer,
    seed: o.seed,
    timeModel,
  });
  const report = await buildReport({
    projectId: project.id,
    images: byId,
    readings,
    readers,
    ledger,
    manual,
    elapsedS: (Date.now() - t0) / 1000,
    seed: o.seed,
    bootstrapReps: o.bootstrapReps,
    models,
  });
  const runId = await saveSimulationRun({ options: describeOptions(o), report });
  return { ...report, runId };
}

/** The next ballot for the MD whose turn it is, or for any MD who still has one. */
async function ballotForSomeone(mds: Md[], turn: number, projectId: string) {
  for (let k = 0; k < mds.length; k++) {
    const mi = (turn + k) % mds.length;
    const ballot = await nextBallot(mds[mi].actor, projectId);
    if (ballot) return { mi, ballot };
  }
  return null;
}
