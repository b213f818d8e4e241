import type { ReactNode } from "react";

export type FallbackTable = { columns: string[]; rows: (string | number)[][] };

/** A titled chart with its numbers one click away, as a real table for screen readers too. */
export function ChartFigure({
  title,
  children,
  table,
  note,
}: {
  title: string;
  children: ReactNode;
  table?: FallbackTable;
  note?: ReactNode;
}) {
  return (
    <figure className="space-y-2">
      <figcaption className="text-sm font-medium text-text">{title}</figcaption>
      {children}
      {note ? <p className="text-xs text-muted">{note}</p> : null}
      {table && table.rows.length ? (
        <details className="text-xs text-muted">
          <summary className="cursor-pointer select-none hover:text-text">Numbers</summary>
          <table className="mt-1 w-full border-collapse text-left">
            <caption className="sr-only">{title}</caption>
            <thead>
              <tr>
                {table.columns.map((c) => (
                  <th key={c} scope="col" className="border-b border-line py-1 pr-3 font-medium">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((r, i) => (
                <tr key={i}>
                  {r.map((c, j) =>
                    j === 0 ? (
                      <th key={j} scope="row" className="py-0.5 pr-3 font-normal">
                        {c}
                      </th>
                    ) : (
                      <td key={j} className="py-0.5 pr-3 tabular-nums">
                        {c}
                      </td>
                    ),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </figure>
  );
}
