import { Card } from "@/app/_components/ui";
import { BarChart } from "@/app/_components/charts/bar-chart";
import { StackedBar } from "@/app/_components/charts/stacked-bar";
import { colors } from "@/app/_components/charts/scale";
import type { Dashboard } from "@/lib/dashboard/types";
import { num, pct, stageLabel } from "./format";
import { MetricsTable } from "./metrics-table";
import { LossCurves } from "./loss-curves";

export function ModelsPanel({ d }: { d: Dashboard }) {
  const hm = d.humanVsMachine;
  const stages = (["STAGE_I", "STAGE_II"] as const).filter((s) => d.winRates.some((w) => w.stage === s));
  const rounds = [...new Set(d.runs.filter((r) => r.metrics).map((r) => r.round))];
  return (
    <Card title="Models">
      <div className="space-y-6">
        <div className="grid gap-6 lg:grid-cols-2">
          <div className="space-y-4">
            {stages.length ? (
              stages.map((s) => (
                <BarChart
                  key={s}
                  title={`${stageLabel(s)}: win rate in consensus decisions`}
                  max={1}
                  bars={d.winRates
                    .filter((w) => w.stage === s)
                    .map((w, i) => ({
                      label: w.source,
                      value: w.rate ?? 0,
                      display: `${pct(w.rate, 0)} (${num(w.wins)}/${num(w.appearances)})`,
                      color:
                        w.source === "manual"
                          ? colors.warn
                          : ["#5aa9e6", "#4fb286", "#b48ead", "#88c0d0", "#a3be8c"][i % 5],
                    }))}
                  note="Wins ÷ images where the source had a candidate, among images accepted by the voters' consensus."
                />
              ))
            ) : (
              <p className="text-sm text-muted">No consensus decisions yet.</p>
            )}
          </div>
          <div className="space-y-2">
            <StackedBar
              title="Stage I: which mask did MDs choose? (votes that picked a candidate)"
              segments={[
                { label: "Machine", value: hm.votesMachine, color: colors.accent },
                { label: "Manual", value: hm.votesManual, color: colors.warn },
              ]}
              note="The paper reports MDs preferred the machine mask in 3 of 5 cases (60%) in Stage I."
            />
            <p className="text-sm" data-testid="machine-share">
              Machine mask chosen in <strong>{pct(hm.machineShare)}</strong> of Stage-I votes; by consensus it won{" "}
              {num(hm.consensusMachine)} of {num(hm.consensusMachine + hm.consensusManual)} Stage-I images.
            </p>
          </div>
        </div>
        {rounds.length ? (
          <>
            <LossCurves runs={d.runs.filter((r) => r.round === rounds[0])} round={rounds[0]} />
            <MetricsTable
              runs={d.runs.filter((r) => r.round === rounds[0])}
              caption={`Round ${rounds[0] ?? "—"}: metrics per run and fold (validation on held-out images)`}
            />
            {rounds.slice(1).map((n) => (
              <details key={String(n)} className="text-sm">
                <summary className="cursor-pointer text-muted hover:text-text">Round {n ?? "—"} metrics</summary>
                <MetricsTable
                  runs={d.runs.filter((r) => r.round === n)}
                  caption={`Round ${n ?? "—"}: metrics per run and fold`}
                />
              </details>
            ))}
          </>
        ) : (
          <p className="text-sm text-muted">No trained model reported metrics yet.</p>
        )}
      </div>
    </Card>
  );
}
