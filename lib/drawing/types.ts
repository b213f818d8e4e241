export type TaskKind = "MANUAL" | "REDRAW" | "CONFIRM";
export type TaskStatus = "OPEN" | "CLAIMED" | "DONE" | "SKIPPED";

/** What the drawing workspace needs about a task; nothing that names a candidate's source. */
export type TaskView = {
  id: string;
  projectId: string;
  kind: TaskKind;
  status: TaskStatus;
  assignedToMe: boolean;
  claimedAt: string | null;
  image: { id: string; width: number; height: number };
  draft: { version: number; elapsedMs: number; updatedAt: string; hasMask: boolean } | null;
  /** Masks the MD may start from (CONFIRM: the redraw to judge; REDRAW: the rejected candidates). */
  startMasks: number;
  maskId: string | null;
  elapsedMs: number | null;
};

export type SaveDraftResult = { version: number; replayed: boolean };
export type SubmitResult = { taskId: string; maskId: string; replayed: boolean };
export type ConfirmResult = { taskId: string; approved: boolean; replayed: boolean };
