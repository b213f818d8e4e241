import { Card } from "@/app/_components/ui";
import { StackedBar } from "@/app/_components/charts/stacked-bar";
import { FunnelChart } from "@/app/_components/charts/funnel-chart";
import { LineChart } from "@/app/_components/charts/line-chart";
import { colors } from "@/app/_components/charts/scale";
import type { Dashboard } from "@/lib/dashboard/types";
import { dayMs, num, shortDay, stateLabels } from "./format";

const stateColors: Record<string, string> = {
  UNANNOTATED: "#3a414d",
  AWAITING_MANUAL: "#b48ead",
  AWAITING_CANDIDATES: "#88c0d0",
  AWAITING_VOTE: colors.accent,
  AWAITING_REDRAW: colors.warn,
  AWAITING_CONFIRMATION: "#ebcb8b",
  DISPUTED: colors.bad,
  ACCEPTED: colors.ok,
};

export function ProgressPanel({ d }: { d: Dashboard }) {
  const { progress, series } = d;
  let cum = 0,
    cumAll = 0;
  const points = series.map((p) => {
    cum += p.acceptedMasks;
    cumAll += p.acceptedMasks + p.acceptedByLabel;
    return { x: dayMs(p.day), masks: cum, all: cumAll };
  });
  const labelled = series.reduce((s, p) => s + p.acceptedByLabel, 0);
  return (
    <Card title="Progress">
      <div className="space-y-5">
        <StackedBar
          title={`Images by state (${num(progress.total)} images, ${num(progress.inS1)} in the Stage-I subset)`}
          segments={Object.entries(progress.byState).map(([s, v]) => ({
            label: stateLabels[s],
            value: v,
            color: stateColors[s],
          }))}
        />
        <div className="grid gap-6 lg:grid-cols-2">
          <FunnelChart title="Funnel" steps={progress.funnel} />
          <LineChart
            title="Accepted masks over time (cumulative)"
            xFormat={shortDay}
            series={[{ name: "Accepted masks", color: colors.ok, points: points.map((p) => ({ x: p.x, y: p.masks })) }]}
            note={
              labelled
                ? `Plus ${num(labelled)} controls accepted with the empty mask by their label (${num(cumAll)} images accepted in all).`
                : undefined
            }
          />
        </div>
      </div>
    </Card>
  );
}
