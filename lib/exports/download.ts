import { AppError } from "../errors/app-error";
import { requireRoleOnObject } from "../auth/authorize";
import { getUser } from "../auth/queries";
import type { Actor } from "../auth/types";
import { store } from "../storage/store";
import type { ByteRange } from "./http-range";
import { recordExportDownload, recordExportLink } from "./mutations";
import { EXPORT_ROLES, exportProjectSlug, getExportForActor, getExportRow } from "./queries";
import { sliceStream } from "./range-stream";
import { archiveContentType } from "./run-export";
import type { ExportOptions } from "./schema";
import { signDownload, verifyDownload } from "./signed-link";

/** A signed, expiring download link (a path and query) for an export the actor may download. */
export async function issueDownloadLink(actor: Actor, exportId: string, ttlSeconds: number) {
  const view = await getExportForActor(actor, exportId);
  if (!view.downloadable) throw new AppError("CONFLICT", "This export has no archive to download yet");
  const expires = Math.floor(Date.now() / 1000) + ttlSeconds;
  await recordExportLink(actor, exportId, view.projectId, new Date(expires * 1000));
  return {
    url: `/api/exports/${exportId}/download?${signDownload({ exportId, userId: actor.userId, expires })}`,
    expiresAt: new Date(expires * 1000).toISOString(),
  };
}

export interface Download {
  size: number;
  sha256: string;
  fileName: string;
  contentType: string;
  /** Streams the archive, or one range of it; each call is audited. */
  open(range: ByteRange | null): Promise<AsyncIterable<Uint8Array>>;
}

/**
 * Resolves a download link: the signature and expiry, then the export, then the person the link
 * was issued to, who must still hold an exporting role in the project (revoking a role revokes
 * their links).
 */
export async function openDownload(exportId: string, query: URLSearchParams): Promise<Download> {
  const claims = verifyDownload(exportId, query);
  const row = await getExportRow(exportId);
  if (!row || row.status !== "SUCCEEDED" || !row.storageKey || !row.sha256)
    throw new AppError("NOT_FOUND", "Export not found");
  const user = await getUser(claims.userId);
  if (!user || user.disabled) throw new AppError("FORBIDDEN", "This download link is not valid");
  await requireRoleOnObject(
    { userId: user.id, isAdmin: user.isAdmin },
    row.projectId,
    [...EXPORT_ROLES],
    "This download link is not valid",
    "FORBIDDEN",
  );
  const slug = await exportProjectSlug(row.projectId);
  const format = (row.options as ExportOptions).format ?? "tar";
  const storageKey = row.storageKey;
  const size = Number(row.sizeBytes);
  return {
    size,
    sha256: row.sha256,
    fileName: `tandem-${slug}-${(row.datasetVersion ?? row.sha256).slice(0, 12)}.${format}`,
    contentType: archiveContentType(format),
    async open(range) {
      await recordExportDownload(user.id, exportId, row.projectId, range);
      const stream = await store().getStream(storageKey);
      return range ? sliceStream(stream, range.start, range.end) : stream;
    },
  };
}
