import { Badge, Card } from "@/app/_components/ui";
import type { Dashboard } from "@/lib/dashboard/types";
import { NextStepButton } from "./next-step-button";

export function StagePanel({ d }: { d: Dashboard }) {
  const { stage } = d;
  return (
    <Card title="Stage">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="space-y-2">
          <p className="text-lg font-semibold" data-testid="stage-headline">
            {stage.headline}
          </p>
          {stage.blockers.length ? (
            <div>
              <p className="text-xs tracking-wide text-muted uppercase">What blocks the next step</p>
              <ul className="mt-1 space-y-1 text-sm" aria-label="Blockers">
                {stage.blockers.map((b) => (
                  <li key={b.code} className="flex items-center gap-2">
                    <Badge tone="warn">{b.code.replaceAll("_", " ").toLowerCase()}</Badge>
                    {b.message}
                  </li>
                ))}
              </ul>
            </div>
          ) : stage.next ? (
            <p className="text-sm text-ok">Nothing blocks the next step.</p>
          ) : null}
        </div>
        {stage.next ? (
          stage.next.action ? (
            <NextStepButton
              projectId={d.project.id}
              action={stage.next.action}
              label={stage.next.label}
              enabled={stage.next.enabled}
            />
          ) : (
            <p className="max-w-xs text-sm text-muted">{stage.next.label}</p>
          )
        ) : (
          <Badge tone="ok">Project complete</Badge>
        )}
      </div>
    </Card>
  );
}
