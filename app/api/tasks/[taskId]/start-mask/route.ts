import { z } from "zod";
import { route } from "@/app/_lib/route";
import { imageResponse } from "@/app/_lib/image-response";
import { getStartMaskPng } from "@/lib/drawing/queries";

export const dynamic = "force-dynamic";
const params = z.object({ taskId: z.string().uuid() });
const query = z.object({ i: z.coerce.number().int().min(0).max(50).default(0) });

/** A mask to start from (the redraw to confirm, or a rejected candidate), by position only. */
export const GET = route({ params, query }, async ({ user, params: { taskId }, query: { i } }) =>
  imageResponse(await getStartMaskPng(user, taskId, i), "image/png"),
);
