"use client";
import { useCallback, useEffect, useState } from "react";
import { Card } from "../ui";
import { ExportForm } from "./export-form";
import { ExportList } from "./export-list";
import { listExports, requestExport, type ExportView } from "./export-api";

const POLL_MS = 1500;

/** Request an export, watch it build, download it. Polls only while an export is unfinished. */
export function ExportPanel({
  projectId,
  initial,
  sources,
}: {
  projectId: string;
  initial: ExportView[];
  sources: string[];
}) {
  const [exports, setExports] = useState(initial);
  const refresh = useCallback(async () => setExports(await listExports(projectId)), [projectId]);
  const active = exports.some((e) => e.status === "QUEUED" || e.status === "RUNNING");

  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => void refresh().catch(() => undefined), POLL_MS);
    return () => clearInterval(t);
  }, [active, refresh]);

  return (
    <div className="space-y-4">
      <Card title="New export">
        <ExportForm
          sources={sources}
          onSubmit={async (options) => {
            await requestExport(projectId, options);
            await refresh();
          }}
        />
      </Card>
      <Card title="Exports">
        <ExportList exports={exports} />
      </Card>
    </div>
  );
}
