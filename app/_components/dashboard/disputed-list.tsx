import { Card } from "@/app/_components/ui";
import { DashboardTableHead } from "./table-head";
import type { Dashboard } from "@/lib/dashboard/types";
import { num } from "./format";

export function DisputedList({ d }: { d: Dashboard }) {
  const { total, rows } = d.disputed;
  return (
    <Card title={`Disputed images (${num(total)})`}>
      {rows.length ? (
        <>
          <div className="max-h-72 overflow-y-auto">
            <table className="w-full text-sm">
              <caption className="sr-only">Images whose votes tied, waiting for the lead</caption>
              <DashboardTableHead
                columns={["Image", "Round", "Votes", "Different choices", "“None acceptable”"]}
                sticky
              />
              <tbody className="tabular-nums">
                {rows.map((r) => (
                  <tr key={r.imageId} className="border-b border-line/50">
                    <th scope="row" className="py-1.5 pr-4 text-left font-normal">
                      <a
                        className="font-mono text-xs text-accent hover:underline"
                        href={`/projects/${d.project.slug}/disputes/${r.imageId}`}
                      >
                        {r.name}
                      </a>
                    </th>
                    <td className="pr-4">{r.round ?? "—"}</td>
                    <td className="pr-4">{r.votes}</td>
                    <td className="pr-4">{r.distinctChoices}</td>
                    <td className="pr-4">{r.noneVotes}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {total > rows.length ? (
            <p className="mt-2 text-xs text-muted">
              Showing the first {rows.length} of {num(total)}.
            </p>
          ) : null}
        </>
      ) : (
        <p className="text-sm text-muted">No disputed images.</p>
      )}
    </Card>
  );
}
