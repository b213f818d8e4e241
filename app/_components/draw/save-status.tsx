"use client";
import type { SaveStatus } from "./use-autosave";

const labels: Record<SaveStatus, { text: string; tone: string }> = {
  saved: { text: "Saved", tone: "text-ok" },
  unsaved: { text: "Unsaved changes", tone: "text-muted" },
  saving: { text: "Saving…", tone: "text-muted" },
  conflict: { text: "Conflict", tone: "text-bad" },
  offline: { text: "Offline: retrying", tone: "text-warn" },
  "signed-out": { text: "Signed out", tone: "text-warn" },
  refused: { text: "Not yours any more", tone: "text-bad" },
  error: { text: "Not saved", tone: "text-bad" },
};

export function SaveStatusNote({
  status,
  message,
  onKeepMine,
  onTakeServer,
}: {
  status: SaveStatus;
  message: string | null;
  onKeepMine(): void;
  onTakeServer(): void;
}) {
  const l = labels[status];
  return (
    <div className="space-y-2 text-sm">
      <p role="status" aria-live="polite">
        Draft:{" "}
        <span data-testid="save-status" data-status={status} className={l.tone}>
          {l.text}
        </span>
      </p>
      {message ? <p className="text-xs text-muted">{message}</p> : null}
      {status === "conflict" ? (
        <div className="flex flex-wrap gap-1" role="group" aria-label="Resolve the conflict">
          <button
            type="button"
            onClick={onTakeServer}
            className="rounded-md border border-line px-2 py-1 text-xs hover:bg-panel-2"
          >
            Load the saved version
          </button>
          <button
            type="button"
            onClick={onKeepMine}
            className="rounded-md border border-bad/60 px-2 py-1 text-xs text-bad hover:bg-bad/10"
          >
            Keep mine (overwrite)
          </button>
        </div>
      ) : null}
    </div>
  );
}
