import { z } from "zod";
import { json, MiB, route } from "@/app/_lib/route";
import { assistStatus, proposeForTask } from "@/lib/assist/queries";
import { proposeSchema } from "@/lib/assist/schema";

export const dynamic = "force-dynamic";
const params = z.object({ taskId: z.string().uuid() });

/** Whether the Smart tool is available for this task (the project's click-model version). */
export const GET = route({ params }, async ({ user, params: { taskId } }) =>
  Response.json(await assistStatus(user, taskId)),
);

/** One Smart-tool step: all clicks so far (+ the mask they correct, a 1-bit PNG) → the new proposal. */
export const POST = route({ params, body: json(proposeSchema, 2 * MiB) }, async ({ user, params: { taskId }, body }) =>
  Response.json(await proposeForTask(user, taskId, body)),
);
