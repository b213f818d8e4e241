"use client";
import { useState } from "react";
import { ErrorNote } from "@/app/_components/ui";
import { postSkip } from "./draw-api";

/** Skip with a reason; the reason is shown to the lead and this MD is not offered the image again. */
export function SkipForm({ taskId, disabled, onSkipped }: { taskId: string; disabled?: boolean; onSkipped(): void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!open) {
    return (
      <button
        type="button"
        disabled={disabled}
        onClick={() => setOpen(true)}
        className="text-xs text-muted underline hover:text-text"
      >
        Skip this image…
      </button>
    );
  }
  return (
    <form
      className="space-y-2"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          await postSkip(taskId, reason);
          onSkipped();
        } catch (err) {
          setError(err instanceof Error ? err.message : String(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <label className="block text-xs text-muted">
        Why skip it?
        <input
          autoFocus
          required
          minLength={3}
          maxLength={500}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          className="mt-1 w-full rounded-md border border-line bg-panel-2 px-2 py-1 text-sm text-text"
          placeholder="e.g. image cropped, not a frontal view"
        />
      </label>
      <div className="flex gap-2">
        <button
          type="submit"
          disabled={busy || reason.trim().length < 3}
          className="rounded-md border border-line px-2 py-1 text-xs hover:bg-panel-2 disabled:opacity-50"
        >
          Skip
        </button>
        <button type="button" onClick={() => setOpen(false)} className="text-xs text-muted hover:text-text">
          Cancel
        </button>
      </div>
      <ErrorNote message={error} />
    </form>
  );
}
