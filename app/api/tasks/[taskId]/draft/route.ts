import { z } from "zod";
import { route } from "@/app/_lib/route";
import { imageResponse } from "@/app/_lib/image-response";
import { maskPngBody, numberHeader, pngBody } from "@/app/_lib/png-body";
import { getDraftPng } from "@/lib/drawing/queries";
import { saveDraft } from "@/lib/drawing/mutations";
import { saveDraftSchema } from "@/lib/drawing/schema";

export const dynamic = "force-dynamic";
const params = z.object({ taskId: z.string().uuid() });

/** The saved draft mask (PNG at the image's native size); its version in X-Draft-Version. */
export const GET = route({ params }, async ({ user, params: { taskId } }) => {
  const { png, version } = await getDraftPng(user, taskId);
  const res = imageResponse(png, "image/png");
  res.headers.set("X-Draft-Version", String(version));
  return res;
});

/**
 * Saves the draft: body = the mask PNG; X-Base-Version = the version it was drawn on
 * (409 when the stored one differs); X-Elapsed-Ms = active time; Idempotency-Key optional.
 */
export const PUT = route({ params, body: maskPngBody }, async ({ req, user, params: { taskId }, body }) => {
  const opts = saveDraftSchema.parse({
    baseVersion: numberHeader(req, "x-base-version"),
    elapsedMs: numberHeader(req, "x-elapsed-ms"),
    idempotencyKey: req.headers.get("idempotency-key") ?? undefined,
  });
  return Response.json(await saveDraft(user, taskId, await pngBody(body), opts));
});
