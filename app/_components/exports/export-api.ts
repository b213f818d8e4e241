import type { ExportView } from "@/lib/exports/queries";

export type { ExportView };

async function json<T>(r: Response): Promise<T> {
  const body = await r.json().catch(() => ({}));
  if (!r.ok)
    throw new Error((body as { error?: { message?: string } }).error?.message ?? `request failed (${r.status})`);
  return body as T;
}

export async function listExports(projectId: string): Promise<ExportView[]> {
  return (
    await json<{ exports: ExportView[] }>(await fetch(`/api/projects/${projectId}/exports`, { cache: "no-store" }))
  ).exports;
}

export async function requestExport(
  projectId: string,
  options: Record<string, unknown>,
): Promise<{ exportId: string; created: boolean }> {
  return json(
    await fetch(`/api/projects/${projectId}/exports`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(options),
    }),
  );
}

/** A fresh signed link for one download (they expire, so each click asks for one). */
export async function downloadLink(exportId: string): Promise<string> {
  return (
    await json<{ url: string }>(
      await fetch(`/api/exports/${exportId}/link`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      }),
    )
  ).url;
}
