export type Network = { arch: string; encoder: string };

export type Blocker = { code: string; message: string; count?: number };

export type TrainConfig = {
  preset?: string | null;
  steps?: number;
  size: number;
  epochs: number;
  batchSize: number;
  lr: number;
  freezeEncoder: boolean;
  pretrained: string | null;
  width?: number;
  focalAlpha?: number;
  presenceWeight?: number;
  shiftTta?: boolean;
  monitorFraction?: number;
};

/** Images predicted per predict job: big projects spread over many jobs and workers. */
export const PREDICT_CHUNK = 500;

/**
 * A classifier run's config (ModelRun.config, no round): one run per fold, the folds of one
 * training share `group`. Never predicts candidates and never enters a vote.
 */
export type ClassifierTrainConfig = {
  task: "classify";
  preset: string;
  group: string;
  folds: number;
  epochs?: number;
  size?: number;
};

export function isClassifierConfig(config: unknown): config is ClassifierTrainConfig {
  return !!config && typeof config === "object" && (config as { task?: unknown }).task === "classify";
}
