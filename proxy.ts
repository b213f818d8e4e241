import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/config/env";
import { crossSiteRefusal, isStateChanging } from "@/app/_lib/edge/csrf";
import { commonSecurityHeaders, pageCsp, wasmPage } from "@/app/_lib/edge/security-headers";
import limits from "@/app/_lib/edge/limits.json";

// Pages and server actions. API routes are left out of the matcher on purpose: their edge is
// app/_lib/route.ts, which streams bodies under per-route limits (the proxy would buffer them).

function refuse(status: number, code: string, message: string, appUrl: string): NextResponse {
  const res = NextResponse.json({ error: { code, message } }, { status });
  for (const [k, v] of Object.entries(commonSecurityHeaders(appUrl))) res.headers.set(k, v);
  res.headers.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; sandbox");
  return res;
}

export function proxy(req: NextRequest) {
  const appUrl = env().APP_URL;
  if (isStateChanging(req.method)) {
    // Here a state-changing request is a server action (pages take nothing else).
    const refusal = crossSiteRefusal(req.method, req.headers, appUrl);
    if (refusal) return refuse(403, "FORBIDDEN", refusal, appUrl);
    const declared = req.headers.get("content-length");
    if (declared === null && req.body)
      return refuse(411, "BAD_REQUEST", "Send a Content-Length with this request", appUrl);
    if (Number(declared ?? "0") > limits.serverActionMaxBytes) {
      return refuse(
        413,
        "TOO_LARGE",
        `The form is larger than the limit of ${limits.serverActionMaxBytes} bytes`,
        appUrl,
      );
    }
  }
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
  const csp = pageCsp(nonce, appUrl, process.env.NODE_ENV === "development", wasmPage(req.nextUrl.pathname));
  // Next reads the nonce from the request's policy and puts it on its own scripts.
  const requestHeaders = new Headers(req.headers);
  requestHeaders.set("content-security-policy", csp);
  requestHeaders.set("x-nonce", nonce);
  const res = NextResponse.next({ request: { headers: requestHeaders } });
  res.headers.set("Content-Security-Policy", csp);
  for (const [k, v] of Object.entries(commonSecurityHeaders(appUrl))) res.headers.set(k, v);
  return res;
}

export const config = {
  // public/ files (icons, the web manifest) are static and public: no session, no nonce.
  matcher: [
    {
      source:
        "/((?!api/|_next/static|_next/image|favicon.ico|icon.svg|icon-192.png|icon-512.png|apple-touch-icon.png|manifest.webmanifest).*)",
    },
  ],
};
