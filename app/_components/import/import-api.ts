import type { ImportBatchView, ImportEntry, MetadataSummary } from "@/lib/imports/types";
import type { PickedFile } from "./collect-files";

export class UploadError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function json<T>(r: Response): Promise<T> {
  const body = await r.json().catch(() => null);
  if (!r.ok) throw new UploadError(body?.error?.message ?? `Request failed (${r.status})`, r.status);
  return body as T;
}

export async function startImport(projectId: string, metadataCsv?: string) {
  const r = await fetch(`/api/projects/${projectId}/imports`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(metadataCsv ? { metadataCsv } : {}),
  });
  return (await json<{ import: { id: string; metadata?: MetadataSummary } }>(r)).import;
}

export async function getImport(projectId: string, batchId: string) {
  const r = await fetch(`/api/projects/${projectId}/imports/${batchId}`, { cache: "no-store" });
  return (await json<{ import: ImportBatchView }>(r)).import;
}

export async function finishImport(projectId: string, batchId: string) {
  const r = await fetch(`/api/projects/${projectId}/imports/${batchId}/finish`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  return (await json<{ import: ImportBatchView }>(r)).import;
}

/** One file as the raw body (XHR, for upload progress); the server answers with its report lines. */
export function uploadFile(
  projectId: string,
  batchId: string,
  picked: PickedFile,
  onBytes: (loaded: number) => void,
): Promise<ImportEntry[]> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/projects/${projectId}/imports/${batchId}/files`);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.setRequestHeader("x-file-name", encodeURIComponent(picked.path));
    xhr.upload.onprogress = (e) => onBytes(e.loaded);
    xhr.onerror = () => reject(new UploadError("Network error", 0));
    xhr.onload = () => {
      let body: { entries?: ImportEntry[]; error?: { message?: string } } | null = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300 && body?.entries) return resolve(body.entries);
      reject(new UploadError(body?.error?.message ?? `Upload failed (${xhr.status})`, xhr.status));
    };
    xhr.send(picked.file);
  });
}
