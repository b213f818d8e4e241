import { Card } from "@/app/_components/ui";
import type { Dashboard } from "@/lib/dashboard/types";
import { num } from "./format";
import { GateOverrideButton } from "./gate-override-button";

/** Blind by content: the quality gate, and what content rules did to candidates and votes. */
export function BlindPanel({ d }: { d: Dashboard }) {
  const b = d.blind;
  const rows: [string, string][] = [
    ["Votes on the voter's own drawing (no other MD could vote)", num(b.ownDrawingVotes)],
    ["Empty candidates withheld on COVID-19 images", num(b.withheldEmpty)],
    ["Candidates below the minimum area withheld", num(b.withheldSmall)],
    ["Duplicate candidates merged into one position", num(b.mergedCandidates)],
    ["Stage-I images accepted without a vote (no machine candidate left)", num(b.acceptedWithoutVote)],
    ["Images sent straight to drawing (no candidate left)", num(b.sentToDrawing)],
    ["Empty masks on COVID-19 images awaiting a second MD", num(b.emptyAwaitingConfirmation)],
    ["Empty masks on COVID-19 images confirmed by a second MD", num(b.emptyConfirmed)],
    [
      "Mean Dice, original vs style-normalised candidate",
      b.meanNormalisedDice === null ? "—" : b.meanNormalisedDice.toFixed(3),
    ],
  ];
  return (
    <Card title="Blind by content">
      <div className="space-y-3 text-sm" data-testid="blind-panel">
        {b.gate.failing.length ? (
          <div className="rounded border border-line p-3" data-testid="quality-gate">
            <p className="font-medium">
              Quality gate (held-out pixel F1 ≥ {b.gate.threshold.toFixed(2)}): {b.gate.failing.length} model
              {b.gate.failing.length === 1 ? "" : "s"} below
              {b.gate.overriddenAt
                ? ` — overridden by the lead at ${b.gate.overriddenAt.slice(0, 19)} UTC`
                : b.gate.held
                  ? " — the vote is held"
                  : ""}
            </p>
            <ul className="mt-1 list-disc pl-5 tabular-nums">
              {b.gate.failing.map((f) => (
                <li key={`${f.arch}/${f.encoder}`}>
                  {f.arch} / {f.encoder}: F1 {f.f1.toFixed(3)} over {f.folds} fold{f.folds === 1 ? "" : "s"}
                </li>
              ))}
            </ul>
            {b.gate.advice ? <p className="mt-1 text-muted">{b.gate.advice}</p> : null}
            {b.gate.held ? (
              <div className="mt-2">
                <GateOverrideButton projectId={d.project.id} />
              </div>
            ) : null}
          </div>
        ) : null}
        <table className="w-full">
          <tbody className="tabular-nums">
            {rows.map(([k, v]) => (
              <tr key={k} className="border-b border-line/50">
                <th scope="row" className="py-1 pr-4 text-left font-normal text-muted">
                  {k}
                </th>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
