import { z } from "zod";
import { route } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { numberHeader, pngBody } from "@/app/_lib/png-body";
import { submitTask } from "@/lib/drawing/mutations";
import { MAX_MASK_PNG_BYTES, submitSchema } from "@/lib/drawing/schema";
import { parseProvenanceHeader } from "@/lib/assist/provenance";

export const dynamic = "force-dynamic";
const params = z.object({ taskId: z.string().uuid() });

/** Submits the mask PNG; Idempotency-Key is required and a repeat returns the same mask id. */
export const POST = route<{ taskId: string }>(async (req, ctx) => {
  const user = await requireUser();
  const { taskId } = params.parse(await ctx.params);
  const opts = submitSchema.parse({ elapsedMs: numberHeader(req, "x-elapsed-ms"), idempotencyKey: req.headers.get("idempotency-key") ?? undefined, provenance: parseProvenanceHeader(req.headers.get("x-drawing-provenance")) });
  return Response.json(await submitTask(user, taskId, await pngBody(req, MAX_MASK_PNG_BYTES), opts));
});
