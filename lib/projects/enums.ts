// The project settings' enumerations, defined once: the values are prisma/schema.prisma's enums (the
// generated client's plain objects, safe in the browser); the labels below are typed by them, so a value
// added there fails typecheck here until it has a label. zod (schema.ts), the database and the UI read this file.
import { InferencePrecision, OwnDrawingPolicy, SelectionMode, TieBreak } from "../db/generated/enums";

export { InferencePrecision, OwnDrawingPolicy, SelectionMode, TieBreak };

/** Stage-I selection (vote) modes, in the order the new-project form offers them. */
export const selectionModeLabels: Record<SelectionMode, string> = { NWAY: "n-way", PAIRWISE: "pairwise duels" };
export const selectionModes = Object.keys(selectionModeLabels) as SelectionMode[];

export const tieBreakLabels: Record<TieBreak, string> = { LEAD: "the lead decides", ANOTHER_MD: "another MD votes" };

export const inferencePrecisionLabels: Record<InferencePrecision, string> = {
  FLOAT32: "float32 (the trained model as exported)",
  INT8: "int8 (quantised: faster on CPUs, agreement with float32 measured per model)",
};
export const inferencePrecisions = Object.keys(inferencePrecisionLabels) as InferencePrecision[];
