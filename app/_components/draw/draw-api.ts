// The drawing routes, as the workspace calls them. Every failure becomes an ApiError whose
// status is 0 for a network error, so callers can tell "retry later" from "refused".
import type { AssistStatus } from "@/lib/assist/types";
import type { ConfirmResult, SaveDraftResult, SubmitResult, TaskView } from "@/lib/drawing/types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

async function call(url: string, init: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { credentials: "same-origin", cache: "no-store", ...init });
  } catch {
    throw new ApiError(0, "NETWORK", "The server could not be reached");
  }
  if (res.ok) return res;
  const body = (await res.json().catch(() => null)) as {
    error?: { code?: string; message?: string; details?: Record<string, unknown> };
  } | null;
  throw new ApiError(
    res.status,
    body?.error?.code ?? "HTTP",
    body?.error?.message ?? `Request failed (${res.status})`,
    body?.error?.details,
  );
}

const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** The MD's next task, and how many images are left in their queue (that one included). */
export async function claimNext(projectId: string): Promise<{ task: TaskView | null; left: number }> {
  return (await (await call(`/api/projects/${projectId}/tasks/next`, json({}))).json()) as {
    task: TaskView | null;
    left: number;
  };
}

export async function fetchWorkingImage(imageId: string): Promise<Blob> {
  return (await call(`/api/images/${imageId}/working`, {})).blob();
}

export async function fetchDraft(taskId: string): Promise<{ blob: Blob; version: number }> {
  const res = await call(`/api/tasks/${taskId}/draft`, {});
  return { blob: await res.blob(), version: Number(res.headers.get("x-draft-version") ?? "0") };
}

export async function fetchStartMask(taskId: string, index: number): Promise<Blob> {
  return (await call(`/api/tasks/${taskId}/start-mask?i=${index}`, {})).blob();
}

// Browsers refuse keepalive bodies above 64 KiB in flight; larger drafts go as a normal request.
const KEEPALIVE_LIMIT = 60 * 1024;

export async function putDraft(
  taskId: string,
  png: Uint8Array,
  o: { baseVersion: number; elapsedMs: number; key: string; unloading?: boolean },
): Promise<SaveDraftResult> {
  const res = await call(`/api/tasks/${taskId}/draft`, {
    method: "PUT",
    keepalive: !!o.unloading && png.length < KEEPALIVE_LIMIT,
    headers: {
      "content-type": "image/png",
      "x-base-version": String(o.baseVersion),
      "x-elapsed-ms": String(Math.round(o.elapsedMs)),
      "idempotency-key": o.key,
    },
    body: png as BodyInit,
  });
  return res.json();
}

export async function postSubmit(
  taskId: string,
  png: Uint8Array,
  o: { elapsedMs: number; key: string; provenance?: unknown },
): Promise<SubmitResult> {
  const res = await call(`/api/tasks/${taskId}/submit`, {
    method: "POST",
    headers: {
      "content-type": "image/png",
      "x-elapsed-ms": String(Math.round(o.elapsedMs)),
      "idempotency-key": o.key,
      ...(o.provenance ? { "x-drawing-provenance": JSON.stringify(o.provenance) } : {}),
    },
    body: png as BodyInit,
  });
  return res.json();
}

export async function postConfirm(
  taskId: string,
  o: { approved: boolean; elapsedMs: number; key: string },
): Promise<ConfirmResult> {
  return (
    await call(
      `/api/tasks/${taskId}/confirm`,
      json({ approved: o.approved, elapsedMs: Math.round(o.elapsedMs), idempotencyKey: o.key }),
    )
  ).json();
}

export async function postSkip(taskId: string, reason: string): Promise<void> {
  await call(`/api/tasks/${taskId}/skip`, json({ reason }));
}

/** A retry token; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function newKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

export async function fetchAssistStatus(taskId: string): Promise<AssistStatus> {
  return (await call(`/api/tasks/${taskId}/assist`, {})).json();
}

/** One Smart-tool step (JSON, same-origin: the route wrapper's CSRF rule). */
export async function postPropose(
  taskId: string,
  body: { clicks: { x: number; y: number; positive: boolean }[]; current?: string },
): Promise<{ mask: string; modelVersion: number; ms: number }> {
  return (await call(`/api/tasks/${taskId}/assist`, json(body))).json();
}
