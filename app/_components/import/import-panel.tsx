"use client";
import { useState, type DragEvent } from "react";
import type { ImportBatchView } from "@/lib/imports/types";
import { Button, Card, ErrorNote } from "../ui";
import { filesFromDrop, filesFromInput, type PickedFile } from "./collect-files";
import { ImportResult } from "./import-result";
import { ProgressBar } from "./progress-bar";
import { RecentImports } from "./recent-imports";
import { ReportTable } from "./report-table";
import { useImportRun, type RunState } from "./use-import-run";

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MiB`;

function progressOf(s: RunState): { value: number; label: string } {
  if (s.phase === "done")
    return { value: 100, label: `Done: ${s.filesTotal} file${s.filesTotal === 1 ? "" : "s"} processed` };
  if (s.phase === "finishing") return { value: 99, label: "Checking for near-duplicates…" };
  const bytes = s.bytesTotal ? s.bytesDone / s.bytesTotal : 0;
  const files = s.filesTotal ? s.filesDone / s.filesTotal : 0;
  const server = s.server ? ` · ${s.server.total} processed on the server` : "";
  // Bytes move the bar while a file uploads; answered files (decoded and stored) move it most.
  return {
    value: 98 * (0.3 * bytes + 0.7 * files),
    label: `Uploaded ${s.filesDone} of ${s.filesTotal} files (${mib(s.bytesDone)} of ${mib(s.bytesTotal)})${server}`,
  };
}

/** Drag-and-drop (files, folders, zips) or pickers, an optional metadata CSV, progress and the report. */
export function ImportPanel({
  projectId,
  maxUploadBytes,
  recent,
}: {
  projectId: string;
  maxUploadBytes: number;
  recent: ImportBatchView[];
}) {
  const [picked, setPicked] = useState<PickedFile[]>([]);
  const [csv, setCsv] = useState<File | null>(null);
  const [over, setOver] = useState(false);
  const [dropError, setDropError] = useState<string | null>(null);
  const { state, run, reset } = useImportRun(projectId, maxUploadBytes);
  const running = state.phase === "uploading" || state.phase === "finishing";
  const bytes = picked.reduce((s, p) => s + p.file.size, 0);
  const oversize = picked.filter((p) => p.file.size > maxUploadBytes).length;

  const choose = (files: PickedFile[]) => {
    if (running) return;
    const fresh = state.phase === "done" || state.phase === "failed"; // a new selection after a run
    reset();
    setPicked((prev) => (fresh ? files : [...prev, ...files]));
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    filesFromDrop(e.dataTransfer).then(choose, (err) =>
      setDropError(`Could not read what was dropped: ${err.message}`),
    );
  };
  const progress = progressOf(state);

  return (
    <div className="space-y-4">
      <Card title="Add images">
        <div
          onDragOver={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={onDrop}
          data-testid="import-dropzone"
          className={`rounded-lg border-2 border-dashed p-6 text-center text-sm ${over ? "border-accent bg-panel-2" : "border-line"}`}
        >
          <p>Drop PNG, JPEG or DICOM files, whole folders, or ZIP archives here.</p>
          <p className="mt-1 text-muted">
            Formats are recognised by content. Each upload may be up to {mib(maxUploadBytes)}; use{" "}
            <code>npx tandem import</code> for bulk sets.
          </p>
          <div className="mt-3 flex flex-wrap justify-center gap-3">
            <label className="cursor-pointer rounded-md border border-line px-3 py-1.5 hover:bg-panel-2">
              Choose files
              <input
                type="file"
                multiple
                className="sr-only"
                data-testid="import-files-input"
                onChange={(e) => {
                  choose(filesFromInput(e.target.files));
                  e.target.value = "";
                }}
              />
            </label>
            <label className="cursor-pointer rounded-md border border-line px-3 py-1.5 hover:bg-panel-2">
              Choose a folder
              <input
                type="file"
                className="sr-only"
                data-testid="import-folder-input"
                {...({ webkitdirectory: "" } as object)}
                onChange={(e) => {
                  choose(filesFromInput(e.target.files));
                  e.target.value = "";
                }}
              />
            </label>
          </div>
        </div>
        <label className="mt-4 block text-sm">
          <span className="text-muted">
            Metadata CSV (optional): file name → patient id, label, source dataset, view; other columns become tags,
            identifier-like columns are dropped.
          </span>
          <input
            type="file"
            accept=".csv,text/csv"
            data-testid="import-csv-input"
            className="mt-1 block text-sm"
            onChange={(e) => setCsv(e.target.files?.[0] ?? null)}
          />
        </label>
        <div className="mt-4 flex flex-wrap items-center gap-3">
          <Button onClick={() => run(picked, csv)} disabled={running || picked.length === 0} data-testid="import-start">
            {running ? "Importing…" : `Import ${picked.length} file${picked.length === 1 ? "" : "s"}`}
          </Button>
          {picked.length && !running ? (
            <Button
              variant="ghost"
              onClick={() => {
                setPicked([]);
                reset();
              }}
            >
              Clear
            </Button>
          ) : null}
          <span className="text-sm text-muted" data-testid="import-selection">
            {picked.length ? `${picked.length} selected, ${mib(bytes)}` : "Nothing selected"}
            {oversize ? ` · ${oversize} over the upload limit` : ""}
            {csv ? ` · metadata: ${csv.name}` : ""}
          </span>
        </div>
        <ErrorNote message={dropError ?? state.error} />
      </Card>

      {state.phase !== "idle" ? (
        <Card title="Import">
          <div className="space-y-4">
            <ProgressBar value={progress.value} label={progress.label} />
            {state.final ? (
              <ImportResult batch={state.final} local={state.local} />
            ) : state.entries.length || state.local.length ? (
              <ReportTable entries={[...state.entries, ...state.local]} />
            ) : null}
          </div>
        </Card>
      ) : null}

      <Card title="Recent imports">
        <RecentImports projectId={projectId} recent={recent} />
      </Card>
    </div>
  );
}
