import { z } from "zod";
import { json, route } from "@/app/_lib/route";
import { claimNextTask } from "@/lib/drawing/mutations";
import { claimSchema } from "@/lib/drawing/schema";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });

/** Claims the signed-in MD's next task (their own unfinished one first); null when none is left. */
export const POST = route({ params, body: json(claimSchema) }, async ({ user, params: { projectId }, body }) =>
  Response.json({ task: await claimNextTask(user, projectId, body) }),
);
