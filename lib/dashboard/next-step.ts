// Where the project stands in the protocol and what the lead can start next.
import type { Blocker } from "../protocol/types";
import type { ImageStateName, StageStatus } from "./types";

export type StageFacts = {
  round: StageStatus["round"];
  byState: Record<ImageStateName, number>;
  inS1: number;
  hasCovid: boolean;
  subsetSized: boolean;
  stage1Blockers: Blocker[];
  runs: StageStatus["runs"];
  pendingPredictJobs: number;
  acceptedMasks: number;
};

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

export function stageStatus(f: StageFacts): StageStatus {
  const base = { round: f.round, runs: f.runs, pendingPredictJobs: f.pendingPredictJobs };
  const open = Object.entries(f.byState).reduce((s, [k, n]) => (k === "ACCEPTED" ? s : s + n), 0);
  const r = f.round;
  if (!r) {
    if (!f.inS1) {
      const blockers: Blocker[] = [];
      if (!f.hasCovid)
        blockers.push({ code: "NO_COVID", message: "The project has no COVID-19 positive images to choose from" });
      if (!f.subsetSized)
        blockers.push({
          code: "NO_SUBSET_SIZE",
          message: "Set the Stage-I subset size (or fraction) in the project settings",
        });
      return {
        ...base,
        headline: "Not started: choose the Stage-I subset",
        next: { action: "select-subset", label: "Select Stage-I subset", enabled: !blockers.length },
        blockers,
      };
    }
    return {
      ...base,
      headline: `Not started: Stage-I subset of ${plural(f.inS1, "image")} chosen`,
      next: { action: "start-stage1", label: "Start Stage I", enabled: true },
      blockers: [],
    };
  }
  const name = `Round ${r.number} · ${r.stage === "STAGE_I" ? "Stage I" : "Stage II"}`;
  switch (r.status) {
    case "DRAWING":
      return {
        ...base,
        headline: `${name} · manual drawing`,
        next: { action: "start-stage1-training", label: "Start Stage-I training", enabled: !f.stage1Blockers.length },
        blockers: f.stage1Blockers,
      };
    case "TRAINING":
    case "PREDICTING": {
      const blockers: Blocker[] = [];
      const unfinished = f.runs.total - f.runs.succeeded;
      if (unfinished)
        blockers.push({
          code: "RUNS_UNFINISHED",
          message: `${plural(unfinished, "training run")} of ${f.runs.total} not finished`,
          count: unfinished,
        });
      if (f.runs.failed)
        blockers.push({
          code: "RUNS_FAILED",
          message: `${plural(f.runs.failed, "run")} failed: retry its job below`,
          count: f.runs.failed,
        });
      if (f.pendingPredictJobs)
        blockers.push({
          code: "PREDICTING",
          message: `${plural(f.pendingPredictJobs, "prediction job")} still to run`,
          count: f.pendingPredictJobs,
        });
      return {
        ...base,
        headline: `${name} · ${r.status === "TRAINING" ? "training" : "predicting"}`,
        next: { action: null, label: "Voting opens when every run has trained and predicted", enabled: false },
        blockers,
      };
    }
    case "VOTING": {
      const waiting: [ImageStateName, string, string][] = [
        ["AWAITING_VOTE", "image waits for votes", "images wait for votes"],
        ["AWAITING_REDRAW", "image waits to be redrawn", "images wait to be redrawn"],
        ["AWAITING_CONFIRMATION", "redraw waits for confirmation", "redraws wait for confirmation"],
        ["DISPUTED", "disputed image waits for the lead", "disputed images wait for the lead"],
      ];
      const blockers = waiting
        .filter(([s]) => f.byState[s] > 0)
        .map(([s, one, many]) => ({
          code: s,
          message: `${f.byState[s].toLocaleString("en")} ${f.byState[s] === 1 ? one : many}`,
          count: f.byState[s],
        }));
      return {
        ...base,
        headline: `${name} · voting`,
        next: { action: "start-stage2-round", label: `Start Stage-II round ${r.number + 1}`, enabled: false },
        blockers,
      };
    }
    default: {
      if (!open)
        return { ...base, headline: `${name} closed · every image has an accepted mask`, next: null, blockers: [] };
      const blockers: Blocker[] = f.acceptedMasks
        ? []
        : [{ code: "NO_ACCEPTED_MASKS", message: "No accepted masks to train on yet" }];
      return {
        ...base,
        headline: `${name} closed · ${plural(open, "image")} still open`,
        next: {
          action: "start-stage2-round",
          label: `Start Stage-II round ${r.number + 1}`,
          enabled: !blockers.length,
        },
        blockers,
      };
    }
  }
}
