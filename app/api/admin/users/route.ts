import { z } from "zod";
import { json, route } from "@/app/_lib/route";
import { requireAdmin } from "@/lib/auth/authorize";
import { createUser } from "@/lib/auth/mutations";
import { listUsers } from "@/lib/users/queries";

export const dynamic = "force-dynamic";

const createUserSchema = z.object({
  email: z.string().email(),
  name: z.string().trim().min(1).max(120),
  // Omitted: a single sign-on account with no password (the hospital's MFA and offboarding apply).
  password: z.string().min(10).max(200).optional(),
  isAdmin: z.boolean().default(false),
});

export const GET = route({}, async ({ user }) => {
  requireAdmin(user);
  return Response.json({ users: await listUsers() });
});

export const POST = route({ body: json(createUserSchema) }, async ({ user, body }) => {
  requireAdmin(user);
  const created = await createUser(body, user.userId);
  return Response.json({ user: created }, { status: 201 });
});
