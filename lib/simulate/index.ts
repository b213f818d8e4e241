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
export { sealTruth, type SealedTruth } from "./truth";
export { DEFAULT_PANEL, scaleReaderErrors, withVotingHabits, type ReaderProfile } from "./reader-profile";
export type { Reading } from "./reading";
export { readImage, type ReadableImage } from "./latent-reading";
export { closestCandidate, drawFromReading, editFromCandidate, maskWork, type MaskWork } from "./reader-draw";
export { votePairwise, voteNWay, wouldAccept, type ReaderVote, type VoteContext } from "./reader-vote";
export {
  actionSeconds,
  DEFAULT_TIME_MODEL,
  expectedSeconds,
  type TimeContext,
  type TimedAction,
  type TimeModel,
} from "./time-model";
