"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Button, ErrorNote } from "@/app/_components/ui";
import { inferencePrecisionLabels, inferencePrecisions, type InferencePrecision } from "@/lib/projects/enums";
import { setInferencePrecisionAction } from "./actions";

/** The lead's choice of prediction precision; the runs table shows each int8 model's measured agreement. */
export function PrecisionForm({ projectId, current }: { projectId: string; current: InferencePrecision }) {
  const [precision, setPrecision] = useState(current);
  const [error, setError] = useState<string | null>(null);
  const [pending, begin] = useTransition();
  const router = useRouter();
  const save = () =>
    begin(async () => {
      setError(null);
      const r = await setInferencePrecisionAction(projectId, { precision });
      if (!r.ok) setError(r.error);
      else router.refresh();
    });
  return (
    <div className="space-y-2 text-sm">
      <p className="text-muted">
        int8 predicts with each model quantised to 8-bit integers: faster on CPUs, with masks that can differ slightly
        from the float model's. Each model is quantised on first use, calibrated on its own training images, and its
        agreement with the float model on images it predicts is shown below. New predictions only; candidates already
        made stay as they are.
      </p>
      <div className="flex items-center gap-2">
        <select
          value={precision}
          onChange={(e) => setPrecision(e.target.value as InferencePrecision)}
          className="rounded-md border border-line bg-panel-2 px-3 py-2"
          data-testid="precision-select"
        >
          {inferencePrecisions.map((p) => (
            <option key={p} value={p}>
              {inferencePrecisionLabels[p]}
            </option>
          ))}
        </select>
        <Button type="button" onClick={save} disabled={pending || precision === current}>
          {pending ? "Saving…" : "Save"}
        </Button>
      </div>
      <ErrorNote message={error} />
    </div>
  );
}
