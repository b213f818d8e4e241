// How long simulated MDs take to draw, edit, vote and confirm. Sources and which constants are
// guesses: lib/simulate/README.md ("Time model"). Variability is applied per reader, per image and
// per task from seeded generators, so both arms of a paired comparison see the same factors.
import type { MaskWork } from "./reader-draw";
import { createRng, hashSeed } from "./prng";

export interface TimeModel {
  /** Drawing from scratch: orienting, choosing the tool, closing the outline (guess). */
  drawBaseSec: number;
  /** Per separate region: placing the first vertex, checking it (guess). */
  perRegionSec: number;
  /** Tracing a boundary one image size long (steering law: time ∝ path length; anchored on COCO's 79 s per polygon). */
  traceSecPerSize: number;
  /** Editing a candidate: looking it over before changing it (guess). */
  editBaseSec: number;
  /** Share of a changed region's boundary that must be traced anew (the rest is the candidate's own edge; guess). */
  editTraceShare: number;
  /** A vote: looking at the CXR (guess). */
  voteBaseSec: number;
  /** A vote: per candidate compared (verification ≈ 1.6 s on natural images, doubled for masks on a CXR; guess). */
  votePerCandidateSec: number;
  /** Confirming another MD's redraw (one verification of one mask; guess). */
  confirmSec: number;
  /** Smart tool: looking the image and the first proposals over before clicking (guess). */
  smartBaseSec: number;
  /**
   * Smart tool, per click: deciding where, clicking, judging the new proposal. 1.8 s, from extreme
   * clicking (Papadopoulos et al., ICCV 2017: 7.2 s for the 4 clicks of one box); anchored guess.
   */
  smartClickSec: number;
  /** Smart tool, per click: waiting for the model's proposal (the measured response; bench interactive). */
  smartWaitSec: number;
  /** Log-normal sd of a reader's persistent speed factor (guess). */
  readerSd: number;
  /** Log-normal sd of an image's persistent difficulty factor (guess). */
  imageSd: number;
  /** Log-normal sd of one task's factor (guess). */
  taskSd: number;
}

export const DEFAULT_TIME_MODEL: Readonly<TimeModel> = {
  drawBaseSec: 15,
  perRegionSec: 6,
  traceSecPerSize: 60,
  editBaseSec: 8,
  editTraceShare: 0.6,
  voteBaseSec: 5,
  votePerCandidateSec: 3,
  confirmSec: 8,
  smartBaseSec: 5,
  smartClickSec: 1.8,
  smartWaitSec: 0.15,
  readerSd: 0.25,
  imageSd: 0.3,
  taskSd: 0.2,
};

export type TimedAction =
  | { kind: "draw"; work: MaskWork }
  | { kind: "edit"; work: MaskWork }
  /** Clicks with the Smart tool, then the rest fixed by hand (`work`: what the hand changed). */
  | { kind: "smart"; clicks: number; work: MaskWork }
  | { kind: "vote"; candidates: number }
  | { kind: "confirm" };

/** Expected seconds for a typical reader on a typical image (no variability). */
export function expectedSeconds(a: TimedAction, model: TimeModel = DEFAULT_TIME_MODEL): number {
  switch (a.kind) {
    case "draw":
      return model.drawBaseSec + model.perRegionSec * a.work.regions + model.traceSecPerSize * a.work.boundary;
    case "edit":
      return (
        model.editBaseSec +
        model.perRegionSec * a.work.regions +
        model.traceSecPerSize * model.editTraceShare * a.work.boundary
      );
    case "smart":
      return (
        model.smartBaseSec +
        (model.smartClickSec + model.smartWaitSec) * a.clicks +
        model.perRegionSec * a.work.regions +
        model.traceSecPerSize * model.editTraceShare * a.work.boundary
      );
    case "vote":
      if (a.candidates < 1) throw new Error(`a vote needs at least one candidate, got ${a.candidates}`);
      return model.voteBaseSec + model.votePerCandidateSec * a.candidates;
    case "confirm":
      return model.confirmSec;
  }
}

export interface TimeContext {
  /** Seed of the whole simulation. */
  seed: number;
  reader: { seed: number; speed: number };
  imageKey: string;
  /** Distinguishes tasks of one reader on one image (e.g. "MANUAL", "REDRAW:2", a ballot key). */
  taskKey: string;
}

/** A mean-one log-normal factor drawn from a seeded generator. */
function factor(sd: number, ...key: (string | number)[]): number {
  if (sd <= 0) return 1;
  return Math.exp(createRng(hashSeed(...key)).normal(-0.5 * sd * sd, sd));
}

/** Seconds this reader takes for this action on this image: expected time / speed × reader, image and task factors. */
export function actionSeconds(a: TimedAction, ctx: TimeContext, model: TimeModel = DEFAULT_TIME_MODEL): number {
  if (!(ctx.reader.speed > 0)) throw new Error(`speed must be positive, got ${ctx.reader.speed}`);
  return (
    (expectedSeconds(a, model) / ctx.reader.speed) *
    factor(model.readerSd, "time-reader", ctx.seed, ctx.reader.seed) *
    factor(model.imageSd, "time-image", ctx.seed, ctx.imageKey) *
    factor(model.taskSd, "time-task", ctx.seed, ctx.reader.seed, ctx.imageKey, a.kind, ctx.taskKey)
  );
}
