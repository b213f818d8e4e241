import NextAuth from "next-auth";
import { authOptions } from "@/app/_lib/auth-options";

const handler = (req: Request, ctx: unknown) => NextAuth(authOptions())(req as never, ctx as never);
export { handler as GET, handler as POST };
