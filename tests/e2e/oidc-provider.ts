import http from "node:http";
import Provider from "oidc-provider";

export type TestAccount = { email?: string; email_verified?: boolean; name?: string; groups?: string[] };

/**
 * A real OpenID Connect provider on loopback (oidc-provider with its development login pages,
 * where the login typed is the subject). Spec-conformant defaults: the ID token carries only
 * the protocol claims; email and profile come from UserInfo.
 */
export async function startOidcProvider(opts: {
  port: number;
  appUrl: string;
  clientId: string;
  clientSecret: string;
}) {
  const issuer = `http://127.0.0.1:${opts.port}`;
  const accounts = new Map<string, TestAccount>();
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: opts.clientId,
        client_secret: opts.clientSecret,
        redirect_uris: [`${opts.appUrl}/api/auth/callback/oidc`],
        post_logout_redirect_uris: [`${opts.appUrl}/login`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, ...(accounts.get(sub) ?? {}) }) }),
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    cookies: { keys: ["oidc-test-cookie-key-0123456789abcdef"] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
  });
  const server = http.createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(opts.port, "127.0.0.1", resolve));
  return {
    issuer,
    accounts,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
