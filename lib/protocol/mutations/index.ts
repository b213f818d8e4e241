// Every change of image and round state goes through lib/protocol/mutations/, one file per
// concern (stages, model runs, rounds, ground truth, redraws, task outcomes). Import from here.
import "server-only";

export { selectStage1Subset, editStage1Subset, startStage1, startStage1Training, startStage2Round } from "./stages";
export {
  completeTrainingRun,
  markRunStarted,
  recordRunProgress,
  failRun,
  registerPrediction,
  registerPredictions,
  registerStoredPredictions,
  recordInt8Model,
} from "./model-runs";
export { startClassifierTraining } from "./classifier-runs";
export { maybeOpenVoting, maybeCloseRound, closeRoundIfDone, closeFinishedRounds, awaitingVoteSql } from "./rounds";
export { overrideQualityGate } from "./quality-gate";
export { acceptGroundTruth, acceptControlsByLabel, disputeImage, insertGroundTruth } from "./ground-truth";
export { reopenRedraw } from "./redraws";
export { afterTaskSubmitted } from "./task-outcomes";
export {
  voteTotalsSql,
  countRoundCandidates,
  runningDashboardTotals,
  recountDashboardTotals,
  rebuildDashboardTotals,
  checkDashboardTotals,
  type TotalRow,
  type TotalsDifference,
} from "./dashboard-totals";
