import { z } from "zod";
import { json, route } from "@/app/_lib/route";
import { overrideQualityGate } from "@/lib/protocol/mutations";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });

// The lead opens the vote although models failed the quality gate (audited).
export const POST = route({ params, body: json(z.object({}).strict()) }, async ({ user, params: { projectId } }) =>
  Response.json(await overrideQualityGate(user, projectId)),
);
