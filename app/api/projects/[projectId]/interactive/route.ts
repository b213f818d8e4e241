import { z } from "zod";
import { json, route } from "@/app/_lib/route";
import { requestInteractiveTraining, setInteractiveRetrain } from "@/lib/assist/mutations";
import { retrainSettingSchema } from "@/lib/assist/schema";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });

/** Lead: retrain the click model after every N newly accepted masks ({ every: N | null }). */
export const PUT = route({ params, body: json(retrainSettingSchema) }, async ({ user, params: { projectId }, body }) =>
  Response.json(await setInteractiveRetrain(user, projectId, body)),
);

/** Lead: train a click model now on every accepted mask. */
export const POST = route({ params, body: json(z.object({}).strict()) }, async ({ user, params: { projectId } }) =>
  Response.json(await requestInteractiveTraining(user, projectId), { status: 202 }),
);
