import { archs } from "../ml/networks";
import { presetTrainConfig } from "../ml/presets";

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

/**
 * The tiny encoder under each decoder. Not the preset's compact encoder: at the demo's 64² and 16
 * images it cost 11.3 CPU-minutes against 7.7 and scored no better (npm run bench demo-vote,
 * 2 December 2026: U-Net/UNet++/DLA 0.685/0.684/0.627 against 0.66/0.68/0.70 with tiny).
 */
const demoNetworkList = archs.map((arch) => ({ arch, encoder: "tiny" }));
export const demoNetworks = { stage1Archs: demoNetworkList, stage2Networks: demoNetworkList };
