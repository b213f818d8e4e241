// Sign-out at the provider (OpenID Connect RP-initiated logout), where its discovery document
// offers an end_session_endpoint.

let cached: { issuer: string; endSession: string | null; at: number } | undefined;

async function endSessionEndpoint(issuer: string): Promise<string | null> {
  if (cached && cached.issuer === issuer && Date.now() - cached.at < 10 * 60_000) return cached.endSession;
  const r = await fetch(`${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`, {
    signal: AbortSignal.timeout(5_000),
  });
  if (!r.ok) throw new Error(`provider discovery answered ${r.status}`);
  const doc = (await r.json()) as { end_session_endpoint?: unknown };
  const endSession = typeof doc.end_session_endpoint === "string" ? doc.end_session_endpoint : null;
  cached = { issuer, endSession, at: Date.now() };
  return endSession;
}

/** Where the browser goes after signing out of Tandem: the provider's logout, or null. */
export async function providerLogoutUrl(opts: {
  issuer: string;
  clientId: string;
  idToken: string | null;
  postLogoutRedirect: string;
}): Promise<string | null> {
  const endpoint = await endSessionEndpoint(opts.issuer);
  if (!endpoint) return null;
  const u = new URL(endpoint);
  if (opts.idToken) u.searchParams.set("id_token_hint", opts.idToken);
  u.searchParams.set("client_id", opts.clientId);
  u.searchParams.set("post_logout_redirect_uri", opts.postLogoutRedirect);
  return u.toString();
}
