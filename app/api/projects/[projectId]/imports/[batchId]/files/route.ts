import { z } from "zod";
import { raw, route } from "@/app/_lib/route";
import { env } from "@/lib/config/env";
import { WEB_ARCHIVE_EXPANSION } from "@/lib/imports/limits";
import { importIntoBatch } from "@/lib/imports/mutations";
import { uploadNameSchema } from "@/lib/imports/schema";
import { filesFromStream } from "@/lib/imports/stream-source";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid(), batchId: z.string().uuid() });
const upload = raw({
  maxBytes: () => env().MAX_UPLOAD_BYTES,
  what: "The upload",
  hint: "import large sets with the command line (npx tandem import)",
});

/**
 * One uploaded file as the raw body, its relative path URI-encoded in X-File-Name. A ZIP
 * archive (by content) is expanded here, entry by entry. Answers with this upload's report lines.
 */
export const POST = route({ params, body: upload }, async ({ req, user, params: { projectId, batchId }, body }) => {
  const name = uploadNameSchema.parse(req.headers.get("x-file-name") ?? undefined);
  const max = body.maxBytes;
  const files = filesFromStream(name, body.chunks(), {
    maxFileBytes: max,
    archive: { maxTotalBytes: max * WEB_ARCHIVE_EXPANSION },
  });
  return Response.json(await importIntoBatch(user, projectId, batchId, files));
});
