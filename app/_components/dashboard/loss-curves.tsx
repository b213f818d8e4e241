import { LineChart } from "@/app/_components/charts/line-chart";
import { palette } from "@/app/_components/charts/scale";
import type { RunRow } from "@/lib/dashboard/types";
import { foldNumber } from "@/lib/ml/fold";

/** Training loss per epoch for each run of a round, one colour per network. */
export function LossCurves({ runs, round }: { runs: RunRow[]; round: number | null }) {
  const nets = [...new Set(runs.map((r) => `${r.arch} · ${r.encoder}`))];
  const withCurves = runs.filter((r) => r.metrics?.curve.length);
  if (!withCurves.length) return null;
  return (
    <LineChart
      title={`Round ${round ?? "—"}: training loss by epoch`}
      xFormat={(e) => String(e)}
      yFormat={(v) => v.toFixed(2)}
      series={withCurves.map((r) => ({
        name: `${r.arch} · ${r.encoder}${r.fold === null ? "" : ` f${foldNumber(r.fold)}`}`,
        color: palette[nets.indexOf(`${r.arch} · ${r.encoder}`) % palette.length],
        points: r.metrics!.curve.map((c) => ({ x: c.epoch, y: c.train })),
      }))}
    />
  );
}
