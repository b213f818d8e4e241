import type { IngestSettings } from "../projects/schema";
/** One chosen image and its accepted ground truth, as the archive needs them. No free-text names. */
export interface ExportItem {
  imageId: string;
  width: number;
  height: number;
  sourceFormat: "PNG" | "JPEG" | "DICOM";
  imageKey: string;
  /** SHA-256 of the working PNG as stored with the image; null until first computed (older images). */
  imageSha256?: string | null;
  originalKey: string;
  patient: string | null;
  label: "COVID" | "CONTROL" | "UNKNOWN";
  source: string | null;
  view: string | null;
  split: "TRAIN" | "TEST" | null;
  fold: number | null;
  groundTruthId: string;
  /** Null: the empty mask accepted by label. */
  mask: {
    id: string;
    key: string;
    sha256: string;
    width: number;
    height: number;
    area: number;
    rleCounts: string | null;
    bbox: number[];
  } | null;
  stage: "STAGE_I" | "STAGE_II" | null;
  round: number | null;
  decision: string;
  sourceKind: "MANUAL" | "MACHINE" | "REDRAW" | "EMPTY";
  model: { arch: string; encoder: string; fold: number | null; weightsSha256: string | null } | null;
  votes: number;
  /** Votes for the accepted mask's candidate. */
  agreeing: number;
  acceptedAt: Date;
}

/** What the selection left out and why; the datasheet reports these. */
export interface SelectionCounts {
  chosen: number;
  blocked: number;
  /** Burned-in text awaiting a lead's review. */
  heldBack: number;
  unaccepted: number;
}

export interface ExportModel {
  runId: string;
  roundNumber: number | null;
  stage: "STAGE_I" | "STAGE_II" | null;
  arch: string;
  encoder: string;
  fold: number | null;
  config: unknown;
  metrics: unknown;
  artifactKey: string;
  weightsSha256: string | null;
  paramCount: number | null;
  trainedCount: number;
  heldOutCount: number;
  /** SHA-256 over the sorted ids of the images it trained on: the training data's version. */
  trainingSetSha256: string;
}

export interface ExportProject {
  id: string;
  slug: string;
  name: string;
  folds: number;
  seed: number;
  votesPerImage: number;
  selectionMode: string;
  agreementDice: number;
  stage1Archs: unknown;
  stage2Networks: unknown;
  rounds: { number: number; stage: string; status: string }[];
  /** How DICOM was ingested: accepted modalities and the Table E.1-1 options applied. */
  ingest?: IngestSettings;
}

export interface ExportResult {
  datasetVersion: string;
  sha256: string;
  sizeBytes: number;
  fileCount: number;
  imageCount: number;
}

export type ExportProgress = {
  phase: "images" | "models" | "metadata" | "done";
  done: number;
  total: number;
  bytes: number;
};
