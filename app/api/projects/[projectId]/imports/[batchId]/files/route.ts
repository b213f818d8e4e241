import { z } from "zod";
import { route } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { env } from "@/lib/config/env";
import { WEB_ARCHIVE_EXPANSION } from "@/lib/imports/limits";
import { importIntoBatch } from "@/lib/imports/mutations";
import { uploadNameSchema } from "@/lib/imports/schema";
import { filesFromStream } from "@/lib/imports/stream-source";
import { uploadBody } from "./upload-body";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid(), batchId: z.string().uuid() });

/**
 * One uploaded file as the raw body, its relative path URI-encoded in X-File-Name. A ZIP
 * archive (by content) is expanded here, entry by entry. Answers with this upload's report lines.
 */
export const POST = route<{ projectId: string; batchId: string }>(async (req, ctx) => {
  const user = await requireUser();
  const { projectId, batchId } = params.parse(await ctx.params);
  const name = uploadNameSchema.parse(req.headers.get("x-file-name") ?? undefined);
  const max = env().MAX_UPLOAD_BYTES;
  const files = filesFromStream(name, uploadBody(req, max), { maxFileBytes: max, archive: { maxTotalBytes: max * WEB_ARCHIVE_EXPANSION } });
  return Response.json(await importIntoBatch(user, projectId, batchId, files));
});
