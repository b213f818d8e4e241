// The quality gate (PROTOCOL.md, "Blind by content"): what a failing model is and what the lead is told.
// Its reads are in queries.ts (gateFailures, qualityGateStatus), the override in mutations/quality-gate.ts.
export type GateFailure = { runId: string; arch: string; encoder: string; fold: number | null; f1: number };

export const GATE_ADVICE =
  "Models below the quality gate would put poor candidates to the vote. Add Stage-I masks (a larger subset), choose a bigger network preset or more epochs and retrain — or, as lead, open the vote anyway (recorded in the audit log).";
