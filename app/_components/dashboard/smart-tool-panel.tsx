import { Card } from "@/app/_components/ui";
import type { Actor } from "@/lib/auth/types";
import { smartToolSummary } from "@/lib/assist/queries";
import { num, pct } from "./format";
import { SmartToolControls } from "./smart-tool-controls";

/** Click model versions, the retrain rule and how many drawn masks used the Smart tool (and which version). */
export async function SmartToolPanel({ actor, projectId }: { actor: Actor; projectId: string }) {
  const s = await smartToolSummary(actor, projectId);
  const smartTotal = s.smartMasks.reduce((a, r) => a + r.masks, 0);
  const latest = s.models[0];
  return (
    <Card title="Smart tool (click model)">
      <div className="space-y-3 text-sm" data-testid="smart-tool-panel">
        <p>
          {latest ? (
            latest.origin === "IMPORTED" ? (
              <>
                Version <strong>{latest.version}</strong>,{" "}
                <span data-testid="smart-origin">imported by a lead ({latest.originNote})</span>; {num(s.acceptedMasks)}{" "}
                masks accepted now.
              </>
            ) : (
              <>
                Version <strong>{latest.version}</strong>,{" "}
                <span data-testid="smart-origin">trained on {num(latest.trainedOnMasks)} accepted masks</span> (
                {num(s.acceptedMasks)} accepted now).
              </>
            )
          ) : (
            <>No click model yet: MDs draw without the Smart tool. {num(s.acceptedMasks)} masks accepted so far.</>
          )}{" "}
          {s.retrainEvery
            ? `Retrains after every ${num(s.retrainEvery)} newly accepted masks.`
            : "Retrains only when a lead asks."}
          {s.pendingJob
            ? ` Training on ${num(s.pendingJob.acceptedMasks)} masks is ${s.pendingJob.status.toLowerCase()}.`
            : ""}
        </p>
        <p data-testid="smart-tool-share">
          {num(smartTotal)} of {num(s.drawnMasks)} drawn masks (
          {pct(s.drawnMasks ? smartTotal / s.drawnMasks : null, 0)}) were made with the Smart tool.
        </p>
        {s.smartMasks.length ? (
          <table className="text-sm tabular-nums">
            <thead>
              <tr className="text-left text-muted">
                <th className="pr-4 font-normal">model version</th>
                <th className="pr-4 font-normal">masks</th>
                <th className="font-normal">clicks</th>
              </tr>
            </thead>
            <tbody>
              {s.smartMasks.map((r) => (
                <tr key={r.version} data-testid={`smart-version-${r.version}`}>
                  <td className="pr-4">{r.version}</td>
                  <td className="pr-4">{num(r.masks)}</td>
                  <td>{num(r.clicks)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <SmartToolControls projectId={projectId} every={s.retrainEvery} />
      </div>
    </Card>
  );
}
