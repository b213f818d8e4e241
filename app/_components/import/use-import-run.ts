"use client";
import { useCallback, useRef, useState } from "react";
import type { ImportBatchView, ImportCounts, ImportEntry } from "@/lib/imports/types";
import type { PickedFile } from "./collect-files";
import { finishImport, getImport, startImport, uploadFile, UploadError } from "./import-api";

export type RunPhase = "idle" | "uploading" | "finishing" | "done" | "failed";

export interface RunState {
  phase: RunPhase;
  filesTotal: number;
  filesDone: number;
  bytesTotal: number;
  bytesDone: number;
  /** Lines the server has answered so far. */
  entries: ImportEntry[];
  /** Lines decided here: too large to upload, or the upload itself failed. */
  local: ImportEntry[];
  /** The server's counters, polled while uploads (archives especially) are processed. */
  server?: ImportCounts;
  final?: ImportBatchView;
  error?: string;
}

const UPLOADS_AT_ONCE = 2;
const RETRIES = 2;
const POLL_MS = 1500;

const initial: RunState = {
  phase: "idle",
  filesTotal: 0,
  filesDone: 0,
  bytesTotal: 0,
  bytesDone: 0,
  entries: [],
  local: [],
};
const retryable = (e: unknown) => e instanceof UploadError && (e.status === 0 || e.status >= 500);

/** Drives one import from the browser: create, upload with limited concurrency and retries, finish. */
export function useImportRun(projectId: string, maxUploadBytes: number) {
  const [state, setState] = useState<RunState>(initial);
  const busy = useRef(false);

  const run = useCallback(
    async (picked: PickedFile[], csv: File | null) => {
      if (busy.current || picked.length === 0) return;
      busy.current = true;
      const loaded = new Map<number, number>();
      const tooLarge = picked.filter((p) => p.file.size > maxUploadBytes);
      const queue = picked.filter((p) => p.file.size <= maxUploadBytes);
      const bytesTotal = queue.reduce((s, p) => s + p.file.size, 0);
      const local: ImportEntry[] = tooLarge.map((p) => ({
        name: p.path,
        status: "failed",
        reason: `Larger than the upload limit of ${Math.round(maxUploadBytes / 1024 / 1024)} MiB: import it with the command line (npx tandem import)`,
      }));
      setState({
        ...initial,
        phase: "uploading",
        filesTotal: picked.length,
        filesDone: tooLarge.length,
        bytesTotal,
        local,
      });
      const add = (lines: ImportEntry[], isLocal = false) =>
        setState((s) => ({
          ...s,
          filesDone: s.filesDone + 1,
          ...(isLocal ? { local: [...s.local, ...lines] } : { entries: [...s.entries, ...lines] }),
        }));
      let poll: ReturnType<typeof setInterval> | undefined;
      try {
        const batch = await startImport(projectId, csv ? await csv.text() : undefined);
        poll = setInterval(() => {
          getImport(projectId, batch.id).then(
            (b) =>
              setState((s) => ({
                ...s,
                server: { total: b.total, imported: b.imported, duplicates: b.duplicates, failed: b.failed },
              })),
            () => undefined,
          );
        }, POLL_MS);
        let next = 0;
        const worker = async () => {
          while (next < queue.length) {
            const at = next++;
            const p = queue[at];
            for (let attempt = 0; ; attempt++) {
              try {
                const lines = await uploadFile(projectId, batch.id, p, (n) => {
                  loaded.set(at, n);
                  const bytesDone = [...loaded.values()].reduce((a, b) => a + b, 0);
                  setState((s) => ({ ...s, bytesDone }));
                });
                loaded.set(at, p.file.size);
                add(lines);
                break;
              } catch (e) {
                if (e instanceof UploadError && e.status === 409) throw e;
                if (attempt < RETRIES && retryable(e)) continue;
                loaded.set(at, p.file.size);
                add([{ name: p.path, status: "failed", reason: `Upload failed: ${(e as Error).message}` }], true);
                break;
              }
            }
          }
        };
        await Promise.all(Array.from({ length: UPLOADS_AT_ONCE }, worker));
        clearInterval(poll);
        setState((s) => ({ ...s, phase: "finishing", bytesDone: s.bytesTotal }));
        const final = await finishImport(projectId, batch.id);
        setState((s) => ({ ...s, phase: "done", final }));
      } catch (e) {
        setState((s) => ({ ...s, phase: "failed", error: (e as Error).message }));
      } finally {
        clearInterval(poll);
        busy.current = false;
      }
    },
    [projectId, maxUploadBytes],
  );

  const reset = useCallback(() => setState(initial), []);
  return { state, run, reset };
}
