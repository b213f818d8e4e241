import type { MetadataSummary as Summary } from "@/lib/imports/types";
import { WarnBadges } from "../ui";

export function MetadataSummary({ meta }: { meta: Summary }) {
  const roles = Object.entries(meta.roles).map(([role, column]) => `${role}: ${column}`);
  return (
    <div className="space-y-2 text-sm" data-testid="import-metadata">
      <p>
        {meta.rows} metadata row{meta.rows === 1 ? "" : "s"}, matched by{" "}
        <span className="font-mono">{meta.fileColumn}</span>
        {roles.length ? ` · ${roles.join(" · ")}` : ""}
        {meta.unmatchedRows ? ` · ${meta.unmatchedRows} row${meta.unmatchedRows === 1 ? "" : "s"} matched no file` : ""}
      </p>
      {meta.droppedColumns.length ? (
        <p className="flex flex-wrap items-center gap-1" data-testid="dropped-columns">
          <span className="text-warn">Dropped as possible identifiers (never read):</span>
          <WarnBadges items={meta.droppedColumns} />
        </p>
      ) : null}
      {meta.tagColumns.length ? <p className="text-muted">Kept as tags: {meta.tagColumns.join(", ")}</p> : null}
      {Object.keys(meta.labelMapping).length ? (
        <p className="text-muted">
          Labels:{" "}
          {Object.entries(meta.labelMapping)
            .map(([raw, label]) => `${raw || "(blank)"} → ${label}`)
            .join(" · ")}
        </p>
      ) : null}
      {meta.warnings.map((w) => (
        <p key={w} className="text-warn">
          {w}
        </p>
      ))}
    </div>
  );
}
