// Response headers for every page and API answer. The page policy carries a per-request nonce
// (set by proxy.ts) that Next puts on its own inline and bundle scripts; JSON and files get a
// policy that allows nothing at all.

const YEAR = 365 * 24 * 3600;

export function isHttps(appUrl: string): boolean {
  return new URL(appUrl).protocol === "https:";
}

/** Headers every response carries, page or API. */
export function commonSecurityHeaders(appUrl: string): Record<string, string> {
  return {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    ...(isHttps(appUrl) ? { "Strict-Transport-Security": `max-age=${2 * YEAR}; includeSubDomains` } : {}),
  };
}

/**
 * The page policy. Scripts: only those carrying this response's nonce, and what they load
 * ('strict-dynamic'). Styles: the stylesheet files and nonce'd style elements; style attributes
 * stay allowed because React and Konva position elements with them. Images: blob: and data: for
 * the drawing canvas, the decoded masks and the analysis maps. `wasm`: the page may compile
 * WebAssembly ('wasm-unsafe-eval', never 'unsafe-eval'), for the pages that run a model in the
 * browser (see wasmPage).
 */
export function pageCsp(nonce: string, appUrl: string, dev = false, wasm = false): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${wasm ? " 'wasm-unsafe-eval'" : ""}${dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(isHttps(appUrl) ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

/** The drawing workspace: its Smart tool runs the click model with onnxruntime-web (wasm). */
export function wasmPage(pathname: string): boolean {
  return /^\/projects\/[^/]+\/draw\/?$/.test(pathname);
}

/** API answers are data, never documents: nothing may run or load from them. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

/** Adds the API headers to a response, keeping a stricter policy a route already set (images). */
export function withApiHeaders(res: Response, appUrl: string): Response {
  const set = (h: Headers) => {
    for (const [k, v] of Object.entries(commonSecurityHeaders(appUrl))) if (!h.has(k)) h.set(k, v);
    if (!h.has("Content-Security-Policy")) h.set("Content-Security-Policy", API_CSP);
  };
  try {
    set(res.headers);
    return res;
  } catch {
    // Some responses (e.g. from fetch or Response.redirect) have immutable headers.
    const copy = new Response(res.body, res);
    set(copy.headers);
    return copy;
  }
}
