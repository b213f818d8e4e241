import type { ImportBatchView, ImportEntry } from "@/lib/imports/types";
import { MetadataSummary } from "./metadata-summary";
import { ReportTable } from "./report-table";

/** A finished import: counts, metadata facts and the per-file table. */
export function ImportResult({ batch, local }: { batch: ImportBatchView; local: ImportEntry[] }) {
  const files = [...(batch.report?.files ?? []), ...local];
  const near = files.filter((f) => f.nearDuplicateOf).length;
  const flagged = files.filter((f) => f.flags?.length).length;
  const failed = batch.failed + local.length;
  return (
    <div className="space-y-3">
      <p className="text-sm" data-testid="import-summary">
        <span className="text-ok">{batch.imported} imported</span> · {batch.duplicates} already in the project ·{" "}
        <span className={failed ? "text-bad" : ""}>{failed} failed</span>
        {near ? (
          <span className="text-warn">
            {" "}
            · {near} near-duplicate{near === 1 ? "" : "s"} to review
          </span>
        ) : null}
        {flagged ? <span className="text-warn"> · {flagged} flagged</span> : null}
        {batch.status === "FAILED" && batch.report?.error ? (
          <span className="text-bad"> · stopped: {batch.report.error}</span>
        ) : null}
      </p>
      {batch.report?.metadata ? <MetadataSummary meta={batch.report.metadata} /> : null}
      <ReportTable entries={files} />
    </div>
  );
}
