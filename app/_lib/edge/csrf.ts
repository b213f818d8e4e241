// Cross-site request refusal, shared by the route wrapper (APIs) and the proxy (server actions).
// A state-changing request must come from Tandem's own pages: its Origin is APP_URL's origin, or,
// where a browser sent no Origin, its fetch metadata says same-origin. Anything else (another
// site, a sandboxed frame's "null", a script without either header) is refused.

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/** Why the request is refused as cross-site, or null when it may proceed. */
export function crossSiteRefusal(method: string, headers: Headers, appUrl: string): string | null {
  if (!isStateChanging(method)) return null;
  const allowed = new URL(appUrl).origin;
  const origin = headers.get("origin");
  if (origin !== null) {
    return origin === allowed ? null : `Cross-site request refused: Origin ${JSON.stringify(origin)} is not ${allowed}`;
  }
  const site = headers.get("sec-fetch-site");
  if (site === "same-origin") return null;
  return site
    ? `Cross-site request refused: Sec-Fetch-Site is "${site}" and no Origin header was sent`
    : `Cross-site request refused: send an Origin header of ${allowed} (browsers do this for you)`;
}

// The three content types a page on another site can send without a CORS preflight.
const FORM_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]);

export function mediaType(headers: Headers): string {
  return (headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
}

export function isFormType(type: string): boolean {
  return FORM_TYPES.has(type);
}
