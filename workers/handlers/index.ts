import type { JobHandler } from "../../lib/jobs/types";
import type { JobName } from "../../lib/jobs/queue";
import { noopHandler } from "./noop";
import { trainHandler } from "./train";
import { predictHandler } from "./predict";
import { exportHandler } from "./export";
import { closeFinishedRoundsHandler, failStaleImportsHandler, sweepOrphansHandler } from "./maintenance";
import { interactiveTrainHandler } from "./interactive-train";

// The one place job names meet their handlers.
export const handlers: { [N in JobName]: JobHandler<any> } = {
  noop: noopHandler,
  train: trainHandler,
  predict: predictHandler,
  export: exportHandler,
  sweepOrphans: sweepOrphansHandler,
  failStaleImports: failStaleImportsHandler,
  closeFinishedRounds: closeFinishedRoundsHandler,
  interactive_train: interactiveTrainHandler,
};
