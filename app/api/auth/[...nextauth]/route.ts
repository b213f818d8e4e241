import NextAuth from "next-auth";
import { authOptions } from "@/app/_lib/auth-options";
import { KiB, ownBody, route } from "@/app/_lib/route";

export const dynamic = "force-dynamic";

// next-auth reads its own form bodies and checks its own CSRF token (double-submit cookie).
const handler = route(
  { auth: "none", csrf: "own-token", body: ownBody(16 * KiB) },
  ({ body, context }) => NextAuth(authOptions())(body as never, context as never) as Promise<Response>,
);
export { handler as GET, handler as POST };
