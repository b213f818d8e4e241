import { z } from "zod";
import { json, route } from "@/app/_lib/route";
import { createImportBatch } from "@/lib/imports/mutations";
import { listImportBatches } from "@/lib/imports/queries";
import { createImportSchema, MAX_METADATA_CSV_CHARS } from "@/lib/imports/schema";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });

/** Recent imports of the project (leads). */
export const GET = route({ params }, async ({ user, params: { projectId } }) =>
  Response.json({ imports: await listImportBatches(user, projectId) }),
);

/** Starts an import; body `{ metadataCsv? }` (the CSV up to 20 MiB). Files then go to …/imports/[batchId]/files one by one. */
export const POST = route(
  { params, body: json(createImportSchema, MAX_METADATA_CSV_CHARS + 65_536) },
  async ({ user, params: { projectId }, body }) =>
    Response.json({ import: await createImportBatch(user, projectId, body) }, { status: 201 }),
);
