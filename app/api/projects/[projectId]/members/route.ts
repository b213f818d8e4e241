import { z } from "zod";
import { json, route } from "@/app/_lib/route";
import { addMember } from "@/lib/projects/mutations";
import { listMembers } from "@/lib/projects/queries";
import { addMemberSchema } from "@/lib/projects/schema";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });

export const GET = route({ params }, async ({ user, params: { projectId } }) =>
  Response.json({ members: await listMembers(user, projectId) }),
);

export const POST = route({ params, body: json(addMemberSchema) }, async ({ user, params: { projectId }, body }) => {
  const m = await addMember(user, projectId, body);
  return Response.json({ membership: { id: m.id, roles: m.roles } }, { status: 201 });
});
