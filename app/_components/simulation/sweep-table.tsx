import { sweepThresholds } from "@/lib/simulate/sweep-verdicts";
import type { SweepCell } from "@/lib/simulate/types";
import { ReportCell, TableHead } from "@/app/_components/ui";
import { ci, fixed, pct, signed } from "./format";

/** Per reader level: from which model quality the protocol saves MD time, up to which it costs quality. */
export function SweepVerdicts({ cells }: { cells: SweepCell[] }) {
  return (
    <ul className="space-y-1 text-sm" data-testid="sweep-verdicts">
      {sweepThresholds(cells).map((t) => (
        <li key={t.readerFactor}>
          <span className="font-medium">Readers ×{t.readerFactor}:</span>{" "}
          {t.savesFrom ? (
            <>
              saves MD time from <span className="text-ok">{t.savesFrom.model}</span>
            </>
          ) : (
            <>
              saves MD time <span className="text-muted">nowhere in this grid</span>
            </>
          )}
          ;{" "}
          {t.costsUpTo ? (
            <>
              costs quality (Dice CI below 0) up to <span className="text-bad">{t.costsUpTo.model}</span>
            </>
          ) : (
            <>
              costs quality <span className="text-muted">nowhere in this grid</span>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

/** Every cell of the sweep with its intervals; a cell links to its own simulated run. */
export function SweepTable({ cells, cellRunIds }: { cells: SweepCell[]; cellRunIds: Map<string, string> }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm [&_td]:pr-3 [&_th]:pr-3" data-testid="sweep-table">
        <caption className="sr-only">
          Sweep cells: protocol against drawing everything by hand, with 95% bootstrap CIs
        </caption>
        <TableHead
          columns={[
            "Readers",
            "Models",
            "MD-time ratio [95% CI]",
            "ΔDice [95% CI]",
            "ΔF1 [95% CI]",
            "Risky machine masks",
            "Stage-II reject",
            "Inter-reader Dice",
            "",
          ]}
        />
        <tbody className="tabular-nums">
          {cells.map((c) => {
            const runId = c.projectId ? cellRunIds.get(c.projectId) : undefined;
            return (
              <tr key={`${c.readerFactor}:${c.x}`} className="border-t border-line">
                <td className="py-1">×{c.readerFactor}</td>
                <td>
                  {c.model}
                  {c.complete ? "" : " (incomplete)"}
                </td>
                <td className={c.timeRatio.hi < 1 ? "text-ok" : c.timeRatio.lo > 1 ? "text-bad" : ""}>
                  {ci(c.timeRatio, (x) => fixed(x, 2))}
                </td>
                <td className={c.diceDiff.hi < 0 ? "text-bad" : c.diceDiff.lo > 0 ? "text-ok" : ""}>
                  {ci(c.diceDiff, (x) => signed(x))}
                </td>
                <td>{ci(c.f1Diff, (x) => signed(x))}</td>
                <td>{pct(c.riskyShare)}</td>
                <td>{pct(c.stage2Rejection)}</td>
                <td>{fixed(c.interReaderDice, 2)}</td>
                <ReportCell href={runId ? `/simulations/${runId}` : null} />
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
