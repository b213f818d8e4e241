import type { NextAuthOptions } from "next-auth";
import type { OAuthConfig } from "next-auth/providers/oauth";
import CredentialsProvider from "next-auth/providers/credentials";
import { env } from "@/lib/config/env";
import { verifyLogin } from "@/lib/auth/verify-login";
import { clientAddress } from "@/lib/auth/throttle";
import { createSession, revokeSession, sessionMaxAgeSeconds } from "@/lib/auth/mutations";
import { resolveSsoSignIn } from "@/lib/auth/sso";
import { neededClaims, ssoConfig } from "@/lib/auth/sso-config";
import { recordAudit } from "@/lib/audit/mutations";
import { isAppError } from "@/lib/errors/app-error";
import { logger } from "@/lib/log/logger";

type Claims = Record<string, unknown>;
type TokenSetLike = { claims(): Claims };
type UserinfoClient = {
  userinfo(tokens: TokenSetLike): Promise<Claims>;
  issuer: { metadata: { userinfo_endpoint?: string } };
};

// next-auth error codes that mean a single sign-on attempt failed before Tandem saw any claims
// (state or PKCE mismatch, provider error, invalid ID token); each is audited as a refusal.
const ssoErrorCodes = new Set([
  "OAUTH_CALLBACK_ERROR",
  "OAUTH_CALLBACK_HANDLER_ERROR",
  "OAUTH_PARSE_PROFILE_ERROR",
  "SIGNIN_OAUTH_ERROR",
]);

export function authOptions(): NextAuthOptions {
  const e = env();
  const providers: NextAuthOptions["providers"] = [];
  if (e.PASSWORD_LOGIN) {
    providers.push(
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, req) {
          if (!credentials?.email || !credentials.password) return null;
          try {
            const user = await verifyLogin(
              credentials.email,
              credentials.password,
              clientAddress(req?.headers?.["x-forwarded-for"], e.TRUST_PROXY),
            );
            return user ? { id: user.id, email: user.email, name: user.name } : null;
          } catch (err) {
            // The login form shows this message as it stands.
            if (isAppError(err) && err.code === "RATE_LIMITED") throw new Error(`RATE_LIMITED:${err.message}`);
            throw err;
          }
        },
      }),
    );
  }
  if (e.OIDC_ISSUER) {
    const cfg = ssoConfig(e);
    const needed = neededClaims(cfg);
    providers.push({
      id: "oidc",
      name: e.OIDC_NAME,
      type: "oauth",
      wellKnown: `${e.OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
      authorization: { params: { scope: e.OIDC_SCOPES } },
      idToken: true,
      checks: ["pkce", "state", "nonce"],
      clientId: e.OIDC_CLIENT_ID,
      clientSecret: e.OIDC_CLIENT_SECRET,
      // The ID token is verified by the client; claims it lacks (a conformant provider may put
      // only sub, iss, aud, exp, iat there) come from UserInfo, whose sub must match.
      userinfo: {
        async request(ctx) {
          const { tokens, client } = ctx as unknown as { tokens: TokenSetLike; client: UserinfoClient };
          const fromIdToken = tokens.claims();
          if (needed.every((c) => fromIdToken[c] !== undefined) || !client.issuer.metadata.userinfo_endpoint)
            return fromIdToken;
          const fromUserinfo = await client.userinfo(tokens);
          if (fromUserinfo.sub !== fromIdToken.sub)
            throw new Error("UserInfo subject differs from the ID token subject");
          return { ...fromUserinfo, ...fromIdToken };
        },
      },
      profile: (claims: Claims) => ({
        id: String(claims.sub),
        email: typeof claims[cfg.idClaim] === "string" ? (claims[cfg.idClaim] as string) : null,
        name: typeof claims.name === "string" ? claims.name : null,
        claims,
      }),
    } satisfies OAuthConfig<Claims>);
  }
  return {
    secret: e.AUTH_SECRET,
    session: { strategy: "jwt", maxAge: sessionMaxAgeSeconds },
    pages: { signIn: "/login", error: "/login" },
    providers,
    callbacks: {
      async signIn({ user, account }) {
        if (account?.provider === "credentials") return true;
        const claims = (user as { claims?: Claims }).claims ?? {};
        const outcome = await resolveSsoSignIn(claims, ssoConfig(e));
        if (!outcome.ok) return `/login?error=${outcome.reason}`;
        // From here on `user` is the Tandem account, not the provider's profile.
        user.id = outcome.userId;
        delete (user as { claims?: Claims }).claims;
        return true;
      },
      async jwt({ token, user, account }) {
        if (user) {
          const sso = account?.provider === "oidc";
          token.uid = user.id;
          token.sid = await createSession(user.id, sso ? "sso" : "password", sso ? (account?.id_token ?? null) : null);
        }
        return token;
      },
      async session({ session, token }) {
        const s = session as { uid?: string; sid?: string };
        s.uid = token.uid as string | undefined;
        s.sid = token.sid as string | undefined;
        return session;
      },
    },
    events: {
      async signOut({ token }) {
        if (typeof token?.sid === "string") await revokeSession(token.sid);
      },
    },
    logger: {
      error(code, metadata) {
        const message =
          metadata instanceof Error ? metadata.message : String((metadata as { error?: Error })?.error?.message ?? "");
        logger.error(`next-auth ${code}`, { message });
        if (ssoErrorCodes.has(code)) {
          recordAudit({
            action: "auth.sso_refused",
            objectType: "User",
            after: { reason: code, detail: message },
          }).catch(() => {});
        }
      },
      warn(code) {
        logger.warn(`next-auth ${code}`);
      },
      debug() {},
    },
  };
}
