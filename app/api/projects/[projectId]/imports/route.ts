import { z } from "zod";
import { jsonBody, route } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { createImportBatch } from "@/lib/imports/mutations";
import { listImportBatches } from "@/lib/imports/queries";
import { createImportSchema, MAX_METADATA_CSV_CHARS } from "@/lib/imports/schema";
import { AppError } from "@/lib/errors/app-error";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });

/** Recent imports of the project (leads). */
export const GET = route<{ projectId: string }>(async (_req, ctx) => {
  const user = await requireUser();
  const { projectId } = params.parse(await ctx.params);
  return Response.json({ imports: await listImportBatches(user, projectId) });
});

/** Starts an import; body `{ metadataCsv? }`. Files then go to …/imports/[batchId]/files one by one. */
export const POST = route<{ projectId: string }>(async (req, ctx) => {
  const user = await requireUser();
  const { projectId } = params.parse(await ctx.params);
  const maxBody = MAX_METADATA_CSV_CHARS + 65_536;
  if (Number(req.headers.get("content-length") ?? "0") > maxBody) throw new AppError("TOO_LARGE", "The metadata CSV is larger than 20 MiB");
  const input = createImportSchema.parse(await jsonBody(req, maxBody));
  return Response.json({ import: await createImportBatch(user, projectId, input) }, { status: 201 });
});
