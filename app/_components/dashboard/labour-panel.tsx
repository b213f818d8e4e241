import { Card } from "@/app/_components/ui";
import { LineChart } from "@/app/_components/charts/line-chart";
import { colors } from "@/app/_components/charts/scale";
import type { Dashboard } from "@/lib/dashboard/types";
import { dayMs, duration, num, pct, seconds, shortDay } from "./format";

/** The paper's claim: MD time per accepted mask with the protocol vs drawing every mask. */
export function LabourPanel({ d }: { d: Dashboard }) {
  const l = d.labour;
  const saved = l.savedSeconds;
  return (
    <Card title="Labour saved">
      <div className="grid gap-6 lg:grid-cols-[1fr_1.4fr]">
        <div className="space-y-3">
          <dl className="grid grid-cols-2 gap-3">
            <div>
              <dt className="text-xs text-muted">MD time per accepted mask</dt>
              <dd className="text-2xl font-semibold tabular-nums" data-testid="seconds-per-mask">
                {seconds(l.secondsPerAcceptedMask)}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-muted">Drawing every mask by hand</dt>
              <dd className="text-2xl font-semibold tabular-nums text-muted">{seconds(l.baselineSecondsPerMask)}</dd>
            </div>
            <div>
              <dt className="text-xs text-muted">Saved per mask</dt>
              <dd
                className={`text-xl font-semibold tabular-nums ${saved === null ? "" : saved >= 0 ? "text-ok" : "text-bad"}`}
              >
                {saved === null ? "—" : `${saved >= 0 ? "" : "−"}${seconds(Math.abs(saved))} (${pct(l.savedFraction)})`}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-muted">Saved over {num(l.acceptedMasks)} accepted masks</dt>
              <dd className="text-xl font-semibold tabular-nums">
                {saved === null ? "—" : duration(saved * l.acceptedMasks)}
              </dd>
            </div>
          </dl>
          <p className="text-xs text-muted">
            MD time = every hand drawing (manual and redraw) + every vote + every confirmation: {duration(l.mdSeconds)}{" "}
            in all, divided by the accepted masks (controls accepted by label not counted). Baseline: the{" "}
            <strong className="text-text">median</strong> time of one hand-drawn mask in this project (
            {num(l.drawingsTimed)} timed drawings) × each accepted mask.
          </p>
        </div>
        <LineChart
          title="MD-seconds per accepted mask over time (cumulative)"
          xFormat={shortDay}
          yFormat={(v) => `${Math.round(v)} s`}
          series={[
            {
              name: "With the protocol",
              color: colors.accent,
              points: d.series.map((p) => ({ x: dayMs(p.day), y: p.secondsPerMask })),
            },
            ...(l.baselineSecondsPerMask === null
              ? []
              : [
                  {
                    name: "Drawing by hand (median)",
                    color: colors.muted,
                    dashed: true,
                    points: d.series.map((p) => ({ x: dayMs(p.day), y: l.baselineSecondsPerMask })),
                  },
                ]),
          ]}
        />
      </div>
    </Card>
  );
}
