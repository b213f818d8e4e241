import { Card } from "@/app/_components/ui";
import { DashboardTableHead } from "./table-head";
import { LineChart } from "@/app/_components/charts/line-chart";
import { colors } from "@/app/_components/charts/scale";
import type { Dashboard } from "@/lib/dashboard/types";
import { ago, dayMs, duration, num, shortDay } from "./format";

export function MdTable({ d }: { d: Dashboard }) {
  return (
    <Card title="MDs and throughput">
      <div className="space-y-5">
        <div className="overflow-x-auto">
          <table className="w-full text-sm">
            <caption className="sr-only">Work per MD</caption>
            <DashboardTableHead
              columns={[
                "MD",
                "Masks drawn",
                "Votes cast",
                "Confirmations",
                "Median per drawing",
                "Median per vote",
                "MD time",
                "Last active",
              ]}
            />
            <tbody className="tabular-nums">
              {d.mds.map((m) => (
                <tr key={m.userId} className="border-b border-line/50">
                  <th scope="row" className="py-1.5 pr-4 text-left font-normal">
                    {m.name}
                    <span className="block text-xs text-muted">{m.email}</span>
                  </th>
                  <td className="pr-4">{num(m.masksDrawn)}</td>
                  <td className="pr-4">{num(m.votesCast)}</td>
                  <td className="pr-4">{num(m.confirmations)}</td>
                  <td className="pr-4">{duration(m.medianDrawSeconds)}</td>
                  <td className="pr-4">{duration(m.medianVoteSeconds)}</td>
                  <td className="pr-4">{duration(m.drawSeconds + m.voteSeconds + m.confirmSeconds)}</td>
                  <td className="pr-4" title={m.lastActive ?? undefined}>
                    {ago(m.lastActive, d.generatedAt)}
                  </td>
                </tr>
              ))}
              {d.mds.length ? null : (
                <tr>
                  <td colSpan={8} className="py-2 text-muted">
                    No MDs in this project yet.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
        <LineChart
          title="Throughput per day"
          xFormat={shortDay}
          series={[
            {
              name: "Masks drawn",
              color: colors.warn,
              points: d.series.map((p) => ({ x: dayMs(p.day), y: p.masksDrawn })),
            },
            { name: "Votes", color: colors.accent, points: d.series.map((p) => ({ x: dayMs(p.day), y: p.votes })) },
            {
              name: "Masks accepted",
              color: colors.ok,
              points: d.series.map((p) => ({ x: dayMs(p.day), y: p.acceptedMasks })),
            },
          ]}
        />
      </div>
    </Card>
  );
}
