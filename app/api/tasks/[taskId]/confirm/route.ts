import { z } from "zod";
import { json, route } from "@/app/_lib/route";
import { confirmTask } from "@/lib/drawing/mutations";
import { confirmSchema } from "@/lib/drawing/schema";

export const dynamic = "force-dynamic";
const params = z.object({ taskId: z.string().uuid() });

export const POST = route({ params, body: json(confirmSchema) }, async ({ user, params: { taskId }, body }) =>
  Response.json(await confirmTask(user, taskId, body)),
);
