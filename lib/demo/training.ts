import { presetTrainConfig } from "../ml/presets";

// The demo's Stage-I training: the CPU preset, scaled to its 16-image folds so that 15 runs
// (5 folds × 3 networks) finish within minutes on 2 cores. bench/learning.bench.ts measures it.
export const demoTraining = {
  ...presetTrainConfig("cpu-small"),
  size: 64,
  steps: 240,
  batchSize: 8,
  width: 8,
} as const;
