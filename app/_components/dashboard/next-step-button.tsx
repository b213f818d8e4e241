"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Button, ErrorNote } from "@/app/_components/ui";
import type { NextAction } from "@/lib/dashboard/types";
import { startNextStepAction } from "@/app/_actions/dashboard";

export function NextStepButton({
  projectId,
  action,
  label,
  enabled,
}: {
  projectId: string;
  action: NextAction;
  label: string;
  enabled: boolean;
}) {
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const router = useRouter();
  const run = () =>
    start(async () => {
      setError(null);
      const r = await startNextStepAction(projectId, action);
      if (!r.ok) setError(r.error);
      else router.refresh();
    });
  return (
    <div className="flex max-w-xs flex-col items-end gap-2">
      <Button onClick={run} disabled={!enabled || pending} aria-describedby={enabled ? undefined : "next-step-why"}>
        {pending ? "Starting…" : label}
      </Button>
      {enabled ? null : (
        <p id="next-step-why" className="text-xs text-muted">
          Available once the blockers are cleared.
        </p>
      )}
      <ErrorNote message={error} />
    </div>
  );
}
