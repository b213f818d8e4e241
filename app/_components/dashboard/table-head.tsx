import type { ReactNode } from "react";

/**
 * The dashboard tables' header row: one column head per entry (a node for a visually hidden
 * label). `sticky` keeps it in view in a scrolling box; `tight` is for the wider tables.
 */
export function DashboardTableHead({
  columns,
  sticky = false,
  tight = false,
}: {
  columns: ReactNode[];
  sticky?: boolean;
  tight?: boolean;
}) {
  const th = `${sticky ? "sticky top-0 bg-panel " : ""}border-b border-line py-1.5 ${tight ? "pr-3" : "pr-4"} text-left font-medium text-muted`;
  return (
    <thead>
      <tr>
        {columns.map((c, i) => (
          <th key={typeof c === "string" ? c : i} scope="col" className={th}>
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}
