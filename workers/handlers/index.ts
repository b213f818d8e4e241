import type { JobHandler } from "../../lib/jobs/types";
import type { JobName } from "../../lib/jobs/queue";
import { noopHandler } from "./noop";

// The one place job names meet their handlers.
export const handlers: { [N in JobName]: JobHandler<any> } = {
  noop: noopHandler,
};
