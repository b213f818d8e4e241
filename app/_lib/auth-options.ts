import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { env } from "@/lib/config/env";
import { verifyLogin } from "@/lib/auth/verify-login";
import { findUserByEmail } from "@/lib/auth/queries";
import { isAppError } from "@/lib/errors/app-error";

function clientKey(headers: Record<string, string | string[] | undefined> | undefined): string {
  const xff = headers?.["x-forwarded-for"];
  const first = (Array.isArray(xff) ? xff[0] : xff)?.split(",")[0]?.trim();
  return process.env.TRUST_PROXY === "1" && first ? first : "direct";
}

export function authOptions(): NextAuthOptions {
  const e = env();
  const providers: NextAuthOptions["providers"] = [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        if (!credentials?.email || !credentials.password) return null;
        try {
          const user = await verifyLogin(credentials.email, credentials.password, clientKey(req?.headers));
          return user ? { id: user.id, email: user.email, name: user.name } : null;
        } catch (err) {
          if (isAppError(err) && err.code === "RATE_LIMITED") throw new Error("RATE_LIMITED");
          throw err;
        }
      },
    }),
  ];
  if (e.OIDC_ISSUER) {
    providers.push({
      id: "oidc",
      name: e.OIDC_NAME,
      type: "oauth",
      wellKnown: `${e.OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state"],
      clientId: e.OIDC_CLIENT_ID,
      clientSecret: e.OIDC_CLIENT_SECRET,
      profile: (p: { sub: string; email: string; name?: string }) => ({ id: p.sub, email: p.email, name: p.name ?? p.email }),
    });
  }
  return {
    secret: e.AUTH_SECRET,
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    pages: { signIn: "/login", error: "/login" },
    providers,
    callbacks: {
      // SSO users must already have an account (created by an administrator) with the same email.
      async signIn({ user, account }) {
        if (account?.provider === "credentials") return true;
        const known = user.email ? await findUserByEmail(user.email) : null;
        return Boolean(known && !known.disabled);
      },
      async jwt({ token, user }) {
        if (user?.email) {
          const u = await findUserByEmail(user.email);
          if (u) token.uid = u.id;
        }
        return token;
      },
      async session({ session, token }) {
        (session as { uid?: string }).uid = token.uid as string | undefined;
        return session;
      },
    },
  };
}
