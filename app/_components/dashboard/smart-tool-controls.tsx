"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Button, ErrorNote, Field } from "@/app/_components/ui";

/** The lead's controls for the click model: retrain now, and the retrain-every-N-masks rule. */
export function SmartToolControls({ projectId, every }: { projectId: string; every: number | null }) {
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [value, setValue] = useState(every == null ? "" : String(every));
  const router = useRouter();
  const call = (method: "POST" | "PUT", body: unknown, done: (r: Record<string, unknown>) => string) =>
    start(async () => {
      setError(null);
      setNote(null);
      const r = await fetch(`/api/projects/${projectId}/interactive`, {
        method,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const json = await r.json().catch(() => null);
      if (!r.ok) setError(json?.error?.message ?? `Failed (${r.status})`);
      else {
        setNote(done(json));
        router.refresh();
      }
    });
  const saveRule = () => {
    const n = value.trim() === "" ? null : Number(value);
    if (n !== null && !(Number.isInteger(n) && n >= 1))
      return setError("Enter a whole number of masks (1 or more), or leave it empty for never");
    call("PUT", { every: n }, () =>
      n == null ? "Automatic retraining is off" : `Retrains after every ${n} accepted masks`,
    );
  };
  return (
    <div className="flex flex-wrap items-end gap-3">
      <Button
        onClick={() =>
          call("POST", {}, (r) =>
            r.queued ? `Training queued on ${r.acceptedMasks} accepted masks` : "Already queued for these masks",
          )
        }
        disabled={pending}
        data-testid="smart-retrain"
      >
        {pending ? "Working…" : "Retrain the click model now"}
      </Button>
      <div className="w-56">
        <Field
          label="Retrain after every N accepted masks"
          hint="Empty: only when a lead asks"
          inputMode="numeric"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          data-testid="smart-retrain-every"
        />
      </div>
      <Button variant="ghost" onClick={saveRule} disabled={pending} data-testid="smart-retrain-save">
        Save rule
      </Button>
      {note ? (
        <p role="status" className="text-sm text-muted">
          {note}
        </p>
      ) : null}
      <ErrorNote message={error} />
    </div>
  );
}
