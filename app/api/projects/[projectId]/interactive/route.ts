import { z } from "zod";
import { jsonBody, route } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { requestInteractiveTraining, setInteractiveRetrain } from "@/lib/assist/mutations";
import { retrainSettingSchema } from "@/lib/assist/schema";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });

/** Lead: retrain the click model after every N newly accepted masks ({ every: N | null }). */
export const PUT = route<{ projectId: string }>(async (req, ctx) => {
  const user = await requireUser();
  const { projectId } = params.parse(await ctx.params);
  return Response.json(await setInteractiveRetrain(user, projectId, retrainSettingSchema.parse(await jsonBody(req))));
});

/** Lead: train a click model now on every accepted mask. */
export const POST = route<{ projectId: string }>(async (_req, ctx) => {
  const user = await requireUser();
  const { projectId } = params.parse(await ctx.params);
  return Response.json(await requestInteractiveTraining(user, projectId), { status: 202 });
});
