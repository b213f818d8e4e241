// What `tandem simulate` reports and stores: a paired report per simulated project, and a
// sweep's cells. Plain JSON (NaN stands for "no data" and is stored as null).
import type { Interval } from "./bootstrap";

export type { Interval };

export type Paired = { protocol: number; manual: number; diff: Interval };

export type SimulationReport = {
  projectId: string;
  models: string;
  images: number;
  covidImages: number;
  readers: number;
  rounds: number;
  complete: boolean;
  /** Mean pairwise Dice between the simulated readers' own drawings on this data (calibration). */
  interReaderDice: number;
  dice: Paired;
  pixelF1: Paired;
  mdSecondsPerMask: Paired & { ratio: Interval };
  /** Accepted machine masks that a majority of the readers who did not vote on them would reject. */
  riskyMachineShare: Interval & { machineAccepted: number; risky: number };
  stage1MachinePreferred: Interval & { votes: number };
  stage2Rejection: Interval & { votes: number };
  acceptedBySource: Record<string, number>;
  /** `smart`: seconds of drawings made with the Smart tool (absent in runs stored before it). */
  mdSeconds: { draw: number; edit: number; vote: number; confirm: number; smart?: number; manualArm: number };
  /**
   * Drawings made with the Smart tool: clicks, MD-seconds, and the seconds the same readers would
   * have spent on the same tasks by hand. Absent when the project had no click model.
   */
  smartTool?: { drawings: number; clicks: number; seconds: number; handSeconds: number };
  redraws: { fromScratch: number; fromCandidate: number };
  votesOnOwnDrawing: number;
  elapsedS: number;
};

export type SweepCell = {
  readerFactor: number;
  model: string;
  x: number;
  timeRatio: Interval;
  diceDiff: Interval;
  f1Diff: Interval;
  riskyShare: number;
  stage2Rejection: number;
  interReaderDice: number;
  complete: boolean;
  /** The cell's simulated project (its own SINGLE run). */
  projectId?: string;
};

/** The settings a run used, as shown on its page (the images themselves are not kept). */
export type SimulationRunOptions = Record<string, string | number | boolean | string[] | number[]>;

export type SimulationKind = "SINGLE" | "SWEEP";
