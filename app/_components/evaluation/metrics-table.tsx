import { scoreNames, type LevelReport } from "@/lib/ml/evaluation-report";
import { count, num, scoreTitles, withCi } from "./format";

/** The paper's Tables 2/3/6: each score with its 95% interval, per fold, pooled, and mean ± SD. */
export function MetricsTable({ level, caption }: { level: LevelReport; caption: string }) {
  const rows = level.pooled ? [...level.rows, level.pooled] : level.rows;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-right text-xs tabular-nums" data-testid="metrics-table">
        <caption className="pb-1 text-left text-sm text-muted">{caption}</caption>
        <thead className="text-muted">
          <tr>
            <th className="px-2 py-1 text-left font-medium">Row</th>
            <th className="px-2 py-1 font-medium">N</th>
            {scoreNames.map((s) => (
              <th key={s} className="px-2 py-1 font-medium">
                {scoreTitles[s]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.label} className={`border-t border-line ${r.runId ? "" : "font-semibold"}`}>
              <td className="px-2 py-1 text-left">{r.label}</td>
              <td className="px-2 py-1">{count(r.n)}</td>
              {scoreNames.map((s) => (
                <td key={s} className="px-2 py-1 whitespace-nowrap">
                  {withCi(r.scores[s].value, r.scores[s].ci, 4, r.scores[s].boot)}
                </td>
              ))}
            </tr>
          ))}
          {level.rows.length > 1 ? (
            <tr className="border-t border-line text-muted">
              <td className="px-2 py-1 text-left">mean ± SD</td>
              <td className="px-2 py-1" />
              {scoreNames.map((s) => (
                <td key={s} className="px-2 py-1 whitespace-nowrap">
                  {num(level.mean[s].mean)} ± {num(level.mean[s].sd)}
                </td>
              ))}
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
