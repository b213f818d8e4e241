import { z } from "zod";
import { json, route } from "@/app/_lib/route";
import { skipTask } from "@/lib/drawing/mutations";
import { skipSchema } from "@/lib/drawing/schema";

export const dynamic = "force-dynamic";
const params = z.object({ taskId: z.string().uuid() });

export const POST = route({ params, body: json(skipSchema) }, async ({ user, params: { taskId }, body }) =>
  Response.json(await skipTask(user, taskId, body)),
);
