"use client";
import { useState } from "react";
import type { ImportEntry } from "@/lib/imports/types";
import { Badge, WarnBadges } from "../ui";

type Filter = "all" | "problems" | "failed" | "duplicate" | "flagged" | "near";

const matches: Record<Filter, (e: ImportEntry) => boolean> = {
  all: () => true,
  problems: (e) => e.status !== "imported" || Boolean(e.flags?.length || e.nearDuplicateOf),
  failed: (e) => e.status === "failed",
  duplicate: (e) => e.status === "duplicate",
  flagged: (e) => Boolean(e.flags?.length),
  near: (e) => Boolean(e.nearDuplicateOf),
};

const tone = { imported: "ok", duplicate: "warn", failed: "bad" } as const;
const PAGE = 200;

/** Per-file results. Every string here is uploader-supplied or derived: rendered as text only. */
export function ReportTable({ entries }: { entries: ImportEntry[] }) {
  const [filter, setFilter] = useState<Filter>("all");
  const [shown, setShown] = useState(PAGE);
  const rows = entries.filter(matches[filter]);
  return (
    <div className="space-y-2">
      <label className="flex items-center gap-2 text-sm text-muted">
        Show
        <select
          value={filter}
          onChange={(e) => setFilter(e.target.value as Filter)}
          className="rounded-md border border-line bg-panel-2 px-2 py-1 text-text"
          data-testid="import-filter"
        >
          <option value="all">all files</option>
          <option value="problems">anything to review</option>
          <option value="failed">failed</option>
          <option value="duplicate">duplicates</option>
          <option value="flagged">flagged (exposure, annotations…)</option>
          <option value="near">near-duplicates</option>
        </select>
        <span>
          {rows.length} of {entries.length}
        </span>
      </label>
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm" data-testid="import-report">
          <thead className="text-muted">
            <tr>
              <th className="py-1 pr-3 font-normal">File</th>
              <th className="py-1 pr-3 font-normal">Result</th>
              <th className="py-1 pr-3 font-normal">Details</th>
              <th className="py-1 font-normal">Label</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, shown).map((e, i) => (
              <tr
                key={`${e.name}-${i}`}
                className="border-t border-line align-top"
                data-testid="import-row"
                data-status={e.status}
              >
                <td className="py-1 pr-3 break-all font-mono text-xs">{e.name}</td>
                <td className="py-1 pr-3">
                  <Badge tone={tone[e.status]}>{e.status}</Badge>
                </td>
                <td className="py-1 pr-3 space-y-1">
                  {e.reason ? (
                    <div className={e.status === "failed" ? "text-bad" : "text-muted"}>{e.reason}</div>
                  ) : null}
                  {e.flags?.length ? (
                    <div className="flex flex-wrap gap-1">
                      <WarnBadges items={e.flags} />
                    </div>
                  ) : null}
                  {e.warnings?.map((w) => (
                    <div key={w} className="text-warn" data-testid="import-warning">
                      {w}
                    </div>
                  ))}
                  {e.nearDuplicateOf ? (
                    <div className="text-warn" data-testid="near-duplicate">
                      Looks like {e.nearDuplicateOf.name || "an earlier image"} (distance {e.nearDuplicateOf.distance}):
                      review
                    </div>
                  ) : null}
                  {e.metadata === false ? <div className="text-muted">no metadata row</div> : null}
                </td>
                <td className="py-1">{e.label && e.label !== "UNKNOWN" ? e.label : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length > shown ? (
        <button type="button" className="text-sm text-accent" onClick={() => setShown(shown + PAGE)}>
          Show more
        </button>
      ) : null}
    </div>
  );
}
