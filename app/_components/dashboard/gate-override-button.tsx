"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Button, ErrorNote } from "@/app/_components/ui";

/** The lead opens the vote despite the quality gate (recorded in the audit log). */
export function GateOverrideButton({ projectId }: { projectId: string }) {
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const router = useRouter();
  const run = () =>
    start(async () => {
      setError(null);
      const r = await fetch(`/api/projects/${projectId}/quality-gate`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      if (!r.ok) setError((await r.json().catch(() => null))?.error?.message ?? `Failed (${r.status})`);
      else router.refresh();
    });
  return (
    <div className="flex flex-col items-start gap-1">
      <Button variant="danger" onClick={run} disabled={pending} data-testid="gate-override">
        {pending ? "Opening…" : "Open the vote anyway (audited)"}
      </Button>
      <ErrorNote message={error} />
    </div>
  );
}
