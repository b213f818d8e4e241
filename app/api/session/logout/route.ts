import { z } from "zod";
import { json, route } from "@/app/_lib/route";
import { currentSessionId } from "@/app/_lib/session";
import { endSession } from "@/lib/auth/sign-out";

export const dynamic = "force-dynamic";

/** Revokes the caller's session; answers where the browser goes next (the provider's logout or /login). Without a live session: 401, and the button signs out locally. */
export const POST = route({ body: json(z.object({}).strict()) }, async () => {
  const sid = await currentSessionId();
  const providerLogout = sid ? await endSession(sid) : null;
  return Response.json({ redirect: providerLogout ?? "/login" });
});
