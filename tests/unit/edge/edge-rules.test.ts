import { describe, expect, it } from "vitest";
import { crossSiteRefusal, isFormType, mediaType } from "../../../app/_lib/edge/csrf";
import { commonSecurityHeaders, pageCsp, wasmPage, withApiHeaders } from "../../../app/_lib/edge/security-headers";
import { LimitedBody } from "../../../app/_lib/edge/limited-body";

const APP = "https://tandem.example.org";
const h = (o: Record<string, string>) => new Headers(o);

describe("cross-site refusal", () => {
  it("lets safe methods through whatever their origin", () => {
    for (const m of ["GET", "HEAD", "OPTIONS"])
      expect(crossSiteRefusal(m, h({ origin: "https://evil.example" }), APP)).toBeNull();
  });
  it("accepts APP_URL's origin, or same-origin fetch metadata without an Origin", () => {
    expect(crossSiteRefusal("POST", h({ origin: APP }), APP)).toBeNull();
    expect(crossSiteRefusal("DELETE", h({ "sec-fetch-site": "same-origin" }), APP)).toBeNull();
  });
  it("refuses other origins, null, another port or scheme, same-site siblings and header-less requests, naming why", () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ origin: "https://evil.example" }, /Origin "https:\/\/evil.example" is not https:\/\/tandem.example.org/],
      [{ origin: "null" }, /Origin "null"/],
      [{ origin: "http://tandem.example.org" }, /is not/],
      [{ origin: "https://tandem.example.org:8443" }, /is not/],
      [{ origin: "https://evil.example", "sec-fetch-site": "same-origin" }, /is not/],
      [{ "sec-fetch-site": "same-site" }, /Sec-Fetch-Site is "same-site"/],
      [{ "sec-fetch-site": "cross-site" }, /Sec-Fetch-Site is "cross-site"/],
      [{}, /send an Origin header of https:\/\/tandem.example.org/],
    ];
    for (const [headers, why] of cases)
      for (const m of ["POST", "PUT", "PATCH", "DELETE"]) expect(crossSiteRefusal(m, h(headers), APP)).toMatch(why);
  });
  it("knows the content types a cross-site form can send", () => {
    expect(mediaType(h({ "content-type": "Text/Plain; charset=utf-8" }))).toBe("text/plain");
    for (const t of ["text/plain", "multipart/form-data", "application/x-www-form-urlencoded"])
      expect(isFormType(t)).toBe(true);
    expect(isFormType("application/json")).toBe(false);
  });
});

describe("security headers", () => {
  it("sends HSTS only when APP_URL is https", () => {
    expect(commonSecurityHeaders(APP)["Strict-Transport-Security"]).toMatch(/^max-age=\d{8}; includeSubDomains$/);
    expect(commonSecurityHeaders("http://localhost:3000")["Strict-Transport-Security"]).toBeUndefined();
    expect(commonSecurityHeaders(APP)).toMatchObject({
      "Referrer-Policy": "no-referrer",
      "Cross-Origin-Opener-Policy": "same-origin",
    });
  });
  it("builds a nonce policy without unsafe-inline scripts; upgrades requests only over https", () => {
    const csp = pageCsp("abc", APP);
    expect(csp).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("upgrade-insecure-requests");
    expect(pageCsp("abc", "http://localhost:3000")).not.toContain("upgrade-insecure-requests");
    expect(pageCsp("abc", APP, true)).toContain("'unsafe-eval'");
  });
  it("lets only the drawing page compile WebAssembly, and never with 'unsafe-eval'", () => {
    const draw = pageCsp("abc", APP, false, wasmPage("/projects/chest-1/draw"));
    expect(draw).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic' 'wasm-unsafe-eval';");
    expect(draw).not.toContain("'unsafe-eval'");
    for (const p of ["/projects/chest-1/vote", "/projects/chest-1/draw/x", "/projects/draw", "/", "/admin"])
      expect(pageCsp("abc", APP, false, wasmPage(p)), p).not.toContain("wasm-unsafe-eval");
  });
  it("keeps a route's own stricter policy (images) and fills immutable responses through a copy", () => {
    const img = withApiHeaders(
      new Response("x", { headers: { "Content-Security-Policy": "default-src 'none'; sandbox" } }),
      APP,
    );
    expect(img.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    const redirect = withApiHeaders(Response.redirect("https://tandem.example.org/login", 302), APP);
    expect(redirect.headers.get("referrer-policy")).toBe("no-referrer");
    expect(redirect.headers.get("location")).toBe("https://tandem.example.org/login");
  });
});

function streamed(sizes: number[]): { req: Request; pulled: () => number } {
  let i = 0,
    pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (i === sizes.length) return c.close();
      pulled += sizes[i];
      c.enqueue(new Uint8Array(sizes[i++]));
    },
  });
  return {
    req: new Request("http://x/", { method: "POST", body, duplex: "half" } as RequestInit),
    pulled: () => pulled,
  };
}

describe("LimitedBody", () => {
  it("returns a body under the limit whole", async () => {
    const { req } = streamed([3, 4]);
    expect((await new LimitedBody(req, 7, "The body").buffer()).length).toBe(7);
  });
  it("refuses past the limit while streaming, then drains the rest instead of cancelling", async () => {
    const { req, pulled } = streamed([4, 4, 4, 4]);
    const b = new LimitedBody(req, 5, "The mask PNG", "draw a smaller one");
    await expect(b.buffer()).rejects.toMatchObject({
      code: "TOO_LARGE",
      message: "The mask PNG is larger than the limit of 5 bytes; draw a smaller one",
      details: { limitBytes: 5 },
    });
    expect(pulled()).toBeLessThan(16); // stopped at the limit (the stream may pull one chunk ahead)
    await b.drain();
    expect(pulled()).toBe(16);
  });
  it("refuses a declared length over the limit before reading anything", async () => {
    const req = new Request("http://x/", {
      method: "POST",
      body: new Uint8Array(10),
      headers: { "content-length": "10" },
    });
    expect(() => new LimitedBody(req, 9, "The body").checkDeclared()).toThrow(/larger than the limit of 9 bytes/);
  });
});
