import type { RunRow } from "@/lib/dashboard/types";
import { DashboardTableHead } from "./table-head";
import { scoreOf } from "@/lib/dashboard/run-rows";
import { fixed } from "./format";
import { foldNumber } from "@/lib/ml/fold";

const cols: [string, "pixel" | "image", string][] = [
  ["F1 (pixel)", "pixel", "f1"],
  ["Sensitivity", "pixel", "sensitivity"],
  ["Specificity", "pixel", "specificity"],
  ["Precision", "pixel", "precision"],
  ["ROC AUC (pixel)", "pixel", "roc_auc"],
  ["Accuracy (image)", "image", "accuracy"],
];

function cell(run: RunRow, level: "pixel" | "image", name: string) {
  const s = scoreOf(run.metrics?.[level] ?? null, name);
  if (s.value === null) return "—";
  return s.ci === null ? fixed(s.value, 3) : `${fixed(s.value, 3)} ± ${fixed(s.ci, 3)}`;
}

/** Per run (one row per fold), then the mean over folds for each network. */
export function MetricsTable({ runs, caption }: { runs: RunRow[]; caption: string }) {
  const networks = [...new Set(runs.map((r) => `${r.arch} · ${r.encoder}`))];
  const mean = (net: string, level: "pixel" | "image", name: string) => {
    const vs = runs
      .filter((r) => `${r.arch} · ${r.encoder}` === net)
      .map((r) => scoreOf(r.metrics?.[level] ?? null, name).value)
      .filter((v): v is number => v !== null);
    return vs.length ? fixed(vs.reduce((s, v) => s + v, 0) / vs.length, 3) : "—";
  };
  const multiFold = runs.some((r) => r.fold !== null);
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-xs tabular-nums">
        <caption className="mb-1 text-left text-sm font-medium text-text">{caption}</caption>
        <DashboardTableHead
          columns={["Network", "Fold", "Status", "Val loss", ...cols.map(([label]) => label)]}
          tight
        />
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} className="border-b border-line/40">
              <th scope="row" className="py-1 pr-3 text-left font-normal">
                {r.arch} · {r.encoder}
              </th>
              <td className="pr-3">{foldNumber(r.fold) ?? "all"}</td>
              <td className="pr-3">{r.status.toLowerCase()}</td>
              <td className="pr-3">{fixed(r.metrics?.valLoss, 4)}</td>
              {cols.map(([label, level, name]) => (
                <td key={label} className="pr-3">
                  {cell(r, level, name)}
                </td>
              ))}
            </tr>
          ))}
          {multiFold
            ? networks.map((n) => (
                <tr key={`mean-${n}`} className="border-b border-line/40 bg-panel-2/60">
                  <th scope="row" className="py-1 pr-3 text-left font-medium">
                    {n}
                  </th>
                  <td className="pr-3">mean</td>
                  <td className="pr-3" />
                  <td className="pr-3" />
                  {cols.map(([label, level, name]) => (
                    <td key={label} className="pr-3">
                      {mean(n, level, name)}
                    </td>
                  ))}
                </tr>
              ))
            : null}
        </tbody>
      </table>
    </div>
  );
}
