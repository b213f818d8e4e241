import { describe, expect, it } from "vitest";
import { localWorkerEnv } from "../../../lib/config/local-workers";

describe("npm start's worker settings", () => {
  it("run two jobs at once on two cores, one trainer thread each", () => {
    expect(localWorkerEnv({}, 2)).toEqual({ WORKER_CONCURRENCY: "2", TANDEM_TRAIN_THREADS: "1" });
    expect(localWorkerEnv({}, 1)).toEqual({ WORKER_CONCURRENCY: "1", TANDEM_TRAIN_THREADS: "1" });
    expect(localWorkerEnv({}, 16)).toEqual({ WORKER_CONCURRENCY: "2", TANDEM_TRAIN_THREADS: "8" });
  });

  it("keep what the environment sets", () => {
    expect(localWorkerEnv({ WORKER_CONCURRENCY: "1" }, 2)).toEqual({
      WORKER_CONCURRENCY: "1",
      TANDEM_TRAIN_THREADS: "2",
    });
    expect(localWorkerEnv({ TANDEM_TRAIN_THREADS: "4" }, 2)).toEqual({
      WORKER_CONCURRENCY: "2",
      TANDEM_TRAIN_THREADS: "4",
    });
  });
});
