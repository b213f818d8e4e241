import { presetNetworks, presetTrainConfig } from "../ml/presets";

// The demo's Stage-I training: the CPU preset, scaled to its 16-image folds so that 15 runs
// (5 folds × 3 networks) finish within minutes on 2 cores (npm start runs two at once).
// bench/demo-vote.bench.ts measures the time to the open vote and each network's pooled
// out-of-fold F1 on the demo itself; bench/learning.bench.ts the same settings on another synthetic set.
export const demoTraining = {
  ...presetTrainConfig("cpu-small"),
  size: 64,
  steps: 240,
  batchSize: 8,
  width: 8,
} as const;

/** The CPU preset's networks: its recommended encoder under each decoder (small and CPU-friendly). */
export const demoNetworks = presetNetworks(demoTraining.preset);
