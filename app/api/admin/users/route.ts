import { json, route } from "@/app/_lib/route";
import { requireAdmin } from "@/lib/auth/authorize";
import { createUser } from "@/lib/auth/mutations";
import { listUsers } from "@/lib/users/queries";
import { createUserSchema } from "@/lib/users/schema";

export const dynamic = "force-dynamic";

export const GET = route({}, async ({ user }) => {
  requireAdmin(user);
  return Response.json({ users: await listUsers() });
});

export const POST = route({ body: json(createUserSchema) }, async ({ user, body }) => {
  requireAdmin(user);
  const created = await createUser(body, user.userId);
  return Response.json({ user: created }, { status: 201 });
});
