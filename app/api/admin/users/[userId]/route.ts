import { z } from "zod";
import { json, route } from "@/app/_lib/route";
import { requireAdmin } from "@/lib/auth/authorize";
import { setUserAdmin, setUserDisabled } from "@/lib/users/mutations";

export const dynamic = "force-dynamic";
const params = z.object({ userId: z.string().uuid() });
const patchSchema = z.object({ disabled: z.boolean().optional(), isAdmin: z.boolean().optional() }).strict();

export const PATCH = route({ params, body: json(patchSchema) }, async ({ user, params: { userId }, body }) => {
  requireAdmin(user);
  if (body.disabled !== undefined) await setUserDisabled(user, userId, body.disabled);
  if (body.isAdmin !== undefined) await setUserAdmin(user, userId, body.isAdmin);
  return Response.json({ ok: true });
});
