// Public surface of the simulation kit (pure JS; PNG helpers that need sharp live in ./png).
export * from "./mask-ops";
export { createRng, hashSeed, mulberry32, type Rng } from "./prng";
export {
  generateCxr,
  type CxrLabel,
  type CxrMeta,
  type GenerateCxrOptions,
  type SyntheticCxr,
} from "./synthetic-cxr";
export { INFECTION_THRESHOLD, type InfectionRegion } from "./cxr-infection";
export type { AcquisitionBias } from "./cxr-geometry";
export {
  generateDataset,
  renderDatasetItem,
  SYNTHETIC_SOURCES,
  type DatasetItem,
  type DatasetSource,
  type GenerateDatasetOptions,
} from "./synthetic-dataset";
export { simulateDrawing, type DrawingContext, type MdProfile } from "./simulated-md";
export {
  simulatePairwise,
  simulateVote,
  type Duel,
  type PairwiseOutcome,
  type VoteContext,
  type VoteOutcome,
  type VoterProfile,
} from "./simulated-vote";
export {
  DEFAULT_TIME_MODEL,
  drawingSeconds,
  drawingWorkOf,
  voteSeconds,
  type DrawingWork,
  type TimeModel,
} from "./time-model";
