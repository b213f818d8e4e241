import type { ReactNode } from "react";
import { DashboardTableHead } from "./table-head";
import { Card } from "@/app/_components/ui";
import { BarChart } from "@/app/_components/charts/bar-chart";
import type { Dashboard } from "@/lib/dashboard/types";
import { fixed, num, pct, sourceLabel, stageLabel } from "./format";

export function AgreementPanel({ d, dice }: { d: Dashboard; dice: ReactNode }) {
  const all = d.agreement.find((a) => a.stage === "ALL")!;
  return (
    <Card title="Agreement between voters">
      <div className="grid gap-6 lg:grid-cols-2">
        <div className="space-y-3">
          <table className="w-full text-sm">
            <caption className="sr-only">Agreement per stage</caption>
            <DashboardTableHead
              columns={["Stage", "Images (≥2 votes)", "Percent agreement", "Unanimous", "Fleiss' κ"]}
            />
            <tbody className="tabular-nums">
              {d.agreement.map((a) => (
                <tr key={a.stage} className="border-b border-line/50">
                  <th scope="row" className="py-1.5 pr-4 text-left font-normal whitespace-nowrap">
                    {stageLabel(a.stage)}
                  </th>
                  <td className="pr-4">{num(a.stats.items)}</td>
                  <td className="pr-4">{pct(a.stats.percentAgreement)}</td>
                  <td className="pr-4 whitespace-nowrap">
                    {a.stats.items ? `${num(a.stats.unanimous)} (${pct(a.stats.unanimous / a.stats.items)})` : "—"}
                  </td>
                  <td className="pr-4" data-testid={a.stage === "ALL" ? "kappa-all" : undefined}>
                    {fixed(a.stats.kappa, 3)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="text-xs text-muted">
            A choice is the chosen mask&apos;s source (a network, the manual mask, or “none acceptable”). Percent
            agreement is the chance that two voters on the same image made the same choice; κ corrects it for chance.
            Only images with at least two votes count; images with different numbers of voters each use their own count.
          </p>
          {dice}
        </div>
        <BarChart
          title="Choices by source (images with ≥2 votes)"
          bars={Object.entries(all.categories)
            .sort((a, b) => b[1] - a[1])
            .map(([cat, n]) => ({ label: sourceLabel(cat), value: n }))}
        />
      </div>
    </Card>
  );
}
