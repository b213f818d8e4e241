import { z } from "zod";
import { route } from "@/app/_lib/route";
import { maskPngBody, numberHeader, pngBody } from "@/app/_lib/png-body";
import { submitTask } from "@/lib/drawing/mutations";
import { submitSchema } from "@/lib/drawing/schema";
import { parseProvenanceHeader } from "@/lib/assist/provenance";

export const dynamic = "force-dynamic";
const params = z.object({ taskId: z.string().uuid() });

/** Submits the mask PNG; Idempotency-Key is required and a repeat returns the same mask id. */
export const POST = route({ params, body: maskPngBody }, async ({ req, user, params: { taskId }, body }) => {
  const opts = submitSchema.parse({
    elapsedMs: numberHeader(req, "x-elapsed-ms"),
    idempotencyKey: req.headers.get("idempotency-key") ?? undefined,
    provenance: parseProvenanceHeader(req.headers.get("x-drawing-provenance")),
  });
  return Response.json(await submitTask(user, taskId, await pngBody(body), opts));
});
