import { z } from "zod";
import { route, jsonBody } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { setUserAdmin, setUserDisabled } from "@/lib/users/mutations";

export const dynamic = "force-dynamic";

const patchSchema = z.object({ disabled: z.boolean().optional(), isAdmin: z.boolean().optional() }).strict();

export const PATCH = route<{ userId: string }>(async (req, ctx) => {
  const user = await requireUser();
  const { userId } = await ctx.params;
  const body = patchSchema.parse(await jsonBody(req));
  if (body.disabled !== undefined) await setUserDisabled(user, userId, body.disabled);
  if (body.isAdmin !== undefined) await setUserAdmin(user, userId, body.isAdmin);
  return Response.json({ ok: true });
});
