"use client";
import { useState } from "react";
import { DEFAULT_ARCHIVE_LAYOUT, layoutInfo } from "@/lib/exports/archive-layout";
import { Badge, Button } from "../ui";
import { ProgressBar } from "./progress-bar";
import { downloadLink, type ExportView } from "./export-api";

const tone = { SUCCEEDED: "ok", FAILED: "bad", CANCELLED: "bad", RUNNING: "warn", QUEUED: "default" } as const;

function size(bytes: number | null): string {
  if (bytes === null) return "–";
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

function filters(e: ExportView): string {
  const o = e.options;
  const parts = [
    o.labels?.join("+"),
    o.stages?.join("+"),
    o.sources?.join("+"),
    o.acceptedAfter ? `after ${o.acceptedAfter.slice(0, 10)}` : null,
    o.acceptedOnly ? "accepted only" : null,
    o.includeModels ? "with models" : null,
  ];
  return parts.filter(Boolean).join(" · ") || "whole project";
}

export function ExportList({ exports }: { exports: ExportView[] }) {
  const [error, setError] = useState<string | null>(null);
  async function download(id: string) {
    setError(null);
    try {
      window.location.assign(await downloadLink(id));
    } catch (e) {
      setError((e as Error).message);
    }
  }
  if (!exports.length) return <p className="text-sm text-muted">No export yet.</p>;
  return (
    <div className="space-y-2">
      {error ? (
        <p role="alert" className="text-sm text-bad">
          {error}
        </p>
      ) : null}
      <ul aria-label="Exports" className="divide-y divide-line">
        {exports.map((e) => (
          <li key={e.id} data-testid="export-row" className="flex flex-wrap items-center gap-3 py-2 text-sm">
            <Badge tone={tone[e.status as keyof typeof tone] ?? "default"}>{e.status}</Badge>
            <span className="text-muted">{new Date(e.createdAt).toLocaleString()}</span>
            <span>
              {e.options.format} · {layoutInfo(e.options.layout ?? DEFAULT_ARCHIVE_LAYOUT).label}
            </span>
            <span className="text-muted">{filters(e)}</span>
            {e.status === "RUNNING" || e.status === "QUEUED" ? (
              <ProgressBar label="Export progress" value={e.progress?.done ?? 0} max={e.progress?.total ?? 0} />
            ) : null}
            {e.status === "SUCCEEDED" ? (
              <>
                <span className="tabular-nums">
                  {size(e.sizeBytes)} · {e.fileCount} files
                </span>
                <code className="text-xs" title={`dataset version ${e.datasetVersion}`}>
                  v {e.datasetVersion?.slice(0, 12)}
                </code>
                {e.downloadable ? (
                  <Button variant="ghost" onClick={() => download(e.id)}>
                    Download
                  </Button>
                ) : (
                  <span className="text-muted">written by the CLI</span>
                )}
              </>
            ) : null}
            {e.error ? <span className="text-bad">{e.error}</span> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
