import { z } from "zod";
import { route, jsonBody } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { addMember } from "@/lib/projects/mutations";
import { listMembers } from "@/lib/projects/queries";
import { addMemberSchema } from "@/lib/projects/schema";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });

export const GET = route<{ projectId: string }>(async (_req, ctx) => {
  const user = await requireUser();
  const { projectId } = params.parse(await ctx.params);
  return Response.json({ members: await listMembers(user, projectId) });
});

export const POST = route<{ projectId: string }>(async (req, ctx) => {
  const user = await requireUser();
  const { projectId } = params.parse(await ctx.params);
  const m = await addMember(user, projectId, addMemberSchema.parse(await jsonBody(req)));
  return Response.json({ membership: { id: m.id, roles: m.roles } }, { status: 201 });
});
