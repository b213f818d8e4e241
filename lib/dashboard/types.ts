import type { Blocker } from "../protocol/types";
import type { GateFailure } from "../protocol/quality-gate";

export const imageStates = [
  "UNANNOTATED",
  "AWAITING_MANUAL",
  "AWAITING_CANDIDATES",
  "AWAITING_VOTE",
  "AWAITING_REDRAW",
  "AWAITING_CONFIRMATION",
  "DISPUTED",
  "ACCEPTED",
] as const;
export type ImageStateName = (typeof imageStates)[number];
export type StageName = "STAGE_I" | "STAGE_II";

export type Progress = {
  total: number;
  byState: Record<ImageStateName, number>;
  inS1: number;
  funnel: { label: string; value: number }[];
};

export type NextAction = "select-subset" | "start-stage1" | "start-stage1-training" | "start-stage2-round";

export type StageStatus = {
  round: { id: string; number: number; stage: StageName; status: string } | null;
  headline: string;
  /** action null: the next step happens by itself (e.g. voting opens after prediction). */
  next: { action: NextAction | null; label: string; enabled: boolean } | null;
  blockers: Blocker[];
  runs: { total: number; succeeded: number; running: number; failed: number };
  pendingPredictJobs: number;
};

export type MdRow = {
  userId: string;
  name: string;
  email: string;
  masksDrawn: number;
  votesCast: number;
  confirmations: number;
  medianDrawSeconds: number | null;
  medianVoteSeconds: number | null;
  drawSeconds: number;
  voteSeconds: number;
  confirmSeconds: number;
  lastActive: string | null;
};

export type Labour = {
  mdSeconds: number;
  acceptedMasks: number;
  secondsPerAcceptedMask: number | null;
  /** Manual-only baseline: the median seconds of one hand-drawn mask in this project. */
  baselineSecondsPerMask: number | null;
  baselineSource: "median-drawing";
  drawingsTimed: number;
  savedSeconds: number | null;
  savedFraction: number | null;
};

export type DayPoint = {
  day: string;
  acceptedMasks: number;
  acceptedByLabel: number;
  masksDrawn: number;
  votes: number;
  mdSeconds: number;
  /** Cumulative MD-seconds per cumulative accepted mask up to this day. */
  secondsPerMask: number | null;
};

export type AgreementStats = {
  /** Items (round × image) with at least two votes; Fleiss' κ uses only these. */
  items: number;
  ratings: number;
  percentAgreement: number | null;
  unanimous: number;
  expectedAgreement: number | null;
  kappa: number | null;
};
export type AgreementByStage = { stage: StageName | "ALL"; stats: AgreementStats; categories: Record<string, number> };

export type DisputedRow = {
  imageId: string;
  name: string;
  round: number | null;
  votes: number;
  distinctChoices: number;
  noneVotes: number;
};

export type ScoreCI = { value: number | null; ci: number | null };
export type RunMetrics = {
  valLoss: number | null;
  selectedEpoch: number | null;
  pixel: Record<string, ScoreCI | number | null> | null;
  image: Record<string, ScoreCI | number | null> | null;
  curve: { epoch: number; train: number | null; val: number | null }[];
};
export type RunRow = {
  id: string;
  round: number | null;
  stage: StageName | null;
  arch: string;
  encoder: string;
  fold: number | null;
  status: string;
  progress: RunProgress | null;
  startedAt: string | null;
  finishedAt: string | null;
  metrics: RunMetrics | null;
};
export type RunProgress = {
  epoch: number | null;
  epochs: number | null;
  step: number | null;
  steps: number | null;
  loss: number | null;
  etaSeconds: number | null;
  fraction: number | null;
  error: string | null;
};

export type WinRate = {
  stage: StageName | "ALL";
  source: string;
  wins: number;
  appearances: number;
  rate: number | null;
};
export type HumanVsMachine = {
  votesManual: number;
  votesMachine: number;
  machineShare: number | null;
  consensusManual: number;
  consensusMachine: number;
};

export type JobRow = {
  id: string;
  name: string;
  status: string;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  createdAt: string;
  progress: unknown;
};
export type WorkerRow = {
  id: string;
  hostname: string;
  gpu: string | null;
  jobNames: string[];
  heartbeatAt: string;
  startedAt: string;
};
export type LiveStatus = {
  at: string;
  runs: RunRow[];
  jobCounts: Record<string, number>;
  jobs: JobRow[];
  workers: WorkerRow[];
};

export type Dashboard = {
  project: {
    id: string;
    slug: string;
    name: string;
    currentStage: StageName | null;
    votesPerImage: number;
    completedAt: string | null;
  };
  generatedAt: string;
  progress: Progress;
  stage: StageStatus;
  mds: MdRow[];
  labour: Labour;
  series: DayPoint[];
  agreement: AgreementByStage[];
  disputed: { total: number; rows: DisputedRow[] };
  runs: RunRow[];
  winRates: WinRate[];
  humanVsMachine: HumanVsMachine;
  live: LiveStatus;
  blind: BlindStats;
  /** Milliseconds each query took (for the benchmark and slow-query hunting). */
  timings: Record<string, number>;
};

export type DiceAgreement = {
  stage: StageName | "ALL";
  images: number;
  pairs: number;
  meanDice: number | null;
};
export type DiceReport = { byStage: DiceAgreement[]; eligibleImages: number; sampledImages: number };

export type BlindStats = {
  ownDrawingVotes: number;
  withheldEmpty: number;
  withheldSmall: number;
  mergedCandidates: number;
  meanNormalisedDice: number | null;
  acceptedWithoutVote: number;
  sentToDrawing: number;
  emptyAwaitingConfirmation: number;
  emptyConfirmed: number;
  gate: {
    threshold: number;
    roundId: string | null;
    held: boolean;
    overriddenAt: string | null;
    failing: GateFailure[];
    advice: string | null;
  };
};
