import { beforeAll, describe, expect, it } from "vitest";
import { baseUrl, sessionCookie } from "./helpers";
import { buildEdgeWorld, MUTATING, pages, routeHandlers, serverActionPages, type EdgeWorld } from "./edge-fixture";
import { send, serverRss, type Sent } from "./raw-http";
import { databaseFingerprint } from "./db-fingerprint";

// CSRF and body limits over every mutating route and server action found under app/, and the
// security headers on every page and API answer. Each refusal is made with a cookie that has
// the authority to do the thing, so only the defence stands in the way; the database must not
// change.

// next-auth checks its own CSRF token (double-submit cookie) and reads its own form bodies.
const OWN_TOKEN = new Set(["/api/auth/[...nextauth]"]);
const MiB = 1024 * 1024;
// Above every route's limit in the e2e server (uploads are capped at 8 MiB there; the largest
// JSON body, an import's metadata CSV, at 20 MiB + 64 KiB).
const OVERSIZE = 21 * MiB;
const EVIL = "http://evil.example";

let world: EdgeWorld;
const cookies: Record<string, string> = {};
const origin = () => new URL(baseUrl()).origin;
const mutating = routeHandlers().filter((h) => (MUTATING as readonly string[]).includes(h.verb));

beforeAll(async () => {
  world = await buildEdgeWorld();
  const v = world.voting;
  for (const [who, u] of Object.entries({ lead: v.lead, md: v.md, admin: v.admin }))
    cookies[who] = await sessionCookie(u.email, u.password);
}, 240_000);

const errorOf = (r: Sent) => {
  try {
    return (JSON.parse(r.text) as { error?: { code?: string; message?: string; details?: { limitBytes?: number } } })
      .error;
  } catch {
    return undefined;
  }
};
const noSession = (r: Sent) => !(r.headers["set-cookie"] ?? []).some((c) => /session-token=[^;]/.test(c));

describe("route discovery", () => {
  it("finds the mutating API routes and the server actions", () => {
    expect(mutating.length).toBeGreaterThanOrEqual(15);
    expect(mutating.map((m) => `${m.verb} ${m.route}`)).toContain("POST /api/projects/[projectId]/members");
    expect(serverActionPages().length).toBeGreaterThanOrEqual(2);
  });
});

describe("CSRF on every mutating route", () => {
  // A JSON request from another site is refused with 403; a same-origin one in a form content type with 415.
  const codes = { 403: "FORBIDDEN", 415: "UNSUPPORTED" } as const;
  const request = (status: 403 | 415, name: string, headers: Record<string, string>, body = "{}") => ({
    name,
    headers,
    body: Buffer.from(body),
    status,
    code: codes[status],
  });
  const json = { "content-type": "application/json" };
  const cases = [
    request(403, "foreign Origin", { origin: EVIL, ...json }, '{"roles":["LEAD"],"email":"x@evil.example"}'),
    request(403, "Origin null", { origin: "null", ...json }),
    request(403, "no Origin, Sec-Fetch-Site cross-site", { "sec-fetch-site": "cross-site", ...json }),
    request(403, "no Origin, Sec-Fetch-Site same-site", { "sec-fetch-site": "same-site", ...json }),
    request(403, "neither Origin nor fetch metadata", json),
    request(415, "text/plain body", { "content-type": "text/plain" }),
    request(415, "form-urlencoded body", { "content-type": "application/x-www-form-urlencoded" }, "roles=LEAD"),
    request(415, "multipart body", { "content-type": "multipart/form-data; boundary=x" }, "--x--\r\n"),
  ];

  it("refuses cross-site requests and form content types with 403/415 and a clear error; nothing is written", async () => {
    const before = await databaseFingerprint();
    const failures: string[] = [];
    for (const { route, verb } of mutating) {
      const url = baseUrl() + world.fill(route);
      for (const c of cases) {
        for (const [who, cookie] of Object.entries(cookies)) {
          // The content-type cases come with a same-origin Origin: only the type is wrong.
          const headers = { cookie, ...(c.status === 415 ? { origin: origin() } : {}), ...c.headers };
          const r = await send(url, { method: verb, headers, body: c.body });
          if (OWN_TOKEN.has(route)) {
            if (!noSession(r) || r.status >= 500)
              failures.push(`${verb} ${route} ${c.name} as ${who}: next-auth answered ${r.status} with a session`);
            continue;
          }
          const e = errorOf(r);
          const clear =
            c.status === 403
              ? /Cross-site request refused/.test(e?.message ?? "")
              : /Send .* as /.test(e?.message ?? "");
          if (r.status !== c.status || e?.code !== c.code || !clear)
            failures.push(`${verb} ${route} ${c.name} as ${who}: ${r.status} ${r.text.slice(0, 160)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await databaseFingerprint()).toBe(before);
  }, 300_000);

  it("lets the same request through from Tandem's own origin (the refusals are the defence, not the route)", async () => {
    const r = await send(`${baseUrl()}/api/projects`, {
      method: "POST",
      headers: { cookie: cookies.admin, origin: origin(), "content-type": "application/json" },
      body: Buffer.from(JSON.stringify({ name: "Edge control", slug: `edge-${Date.now()}` })),
    });
    expect(r.status).toBe(201);
    const viaMetadata = await send(`${baseUrl()}/api/projects`, {
      method: "POST",
      headers: { cookie: cookies.admin, "sec-fetch-site": "same-origin", "content-type": "application/json" },
      body: Buffer.from(JSON.stringify({ name: "Edge control 2", slug: `edge2-${Date.now()}` })),
    });
    expect(viaMetadata.status).toBe(201);
  });

  it("refuses cross-site server actions with 403 before Next runs them", async () => {
    const before = await databaseFingerprint();
    for (const page of serverActionPages()) {
      const url = baseUrl() + world.fill(page);
      for (const h of [{ origin: EVIL }, { "sec-fetch-site": "cross-site" }, {}] as Record<string, string>[]) {
        const r = await send(url, {
          method: "POST",
          headers: {
            cookie: cookies.lead,
            "next-action": "0".repeat(42),
            "content-type": "text/plain;charset=UTF-8",
            ...h,
          },
          body: Buffer.from("[]"),
        });
        expect({ page, h, status: r.status }).toEqual({ page, h, status: 403 });
        expect(errorOf(r)?.message).toMatch(/Cross-site request refused/);
      }
    }
    expect(await databaseFingerprint()).toBe(before);
  });
});

describe("body limits on every mutating route", () => {
  const typesToTry = ["application/json", "image/png", "application/octet-stream", "application/x-www-form-urlencoded"];

  it("answers 413 with the limit, while streaming, declared or chunked; never a reset; nothing written", async () => {
    const before = await databaseFingerprint();
    const failures: string[] = [];
    for (const { route, verb } of mutating) {
      const url = baseUrl() + world.fill(route);
      const base = { cookie: cookies.lead, origin: origin() };
      // Declared: a Content-Length over every limit.
      const declared = await send(url, {
        method: verb,
        headers: { ...base, "content-type": "application/json" },
        body: Buffer.alloc(OVERSIZE, 0x20),
      });
      const limit = errorOf(declared)?.details?.limitBytes;
      if (
        declared.status !== 413 ||
        declared.error ||
        !/larger than the limit of \d+ bytes/.test(errorOf(declared)?.message ?? "") ||
        limit === undefined
      ) {
        failures.push(
          `${verb} ${route} declared: ${declared.status} ${declared.error ?? ""} ${declared.text.slice(0, 120)}`,
        );
        continue;
      }
      // Chunked: one byte over the route's own limit (0 for a route that takes no body), in the first content type it accepts, with
      // what the upload routes need besides the body, so that only the size is wrong.
      const extra = {
        "x-file-name": "a.png",
        "x-base-version": "0",
        "x-elapsed-ms": "10",
        "idempotency-key": `edge-key-${verb}-${mutating.findIndex((m) => m.route === route)}`,
      };
      let chunked: Sent | undefined;
      for (const type of typesToTry) {
        chunked = await send(`${url}?runIds=${world.ids.runId}`, {
          method: verb,
          headers: { ...base, ...extra, "content-type": type },
          chunked: limit + 1,
        });
        if (chunked.status !== 415) break;
      }
      if (chunked!.status !== 413 || chunked!.error || errorOf(chunked!)?.details?.limitBytes !== limit) {
        failures.push(
          `${verb} ${route} chunked ${limit + 1}: ${chunked!.status} ${chunked!.error ?? ""} ${chunked!.text.slice(0, 120)}`,
        );
      }
    }
    expect(failures).toEqual([]);
    expect(await databaseFingerprint()).toBe(before);
  }, 300_000);

  it("server actions: a declared body over the limit is 413, one without a length 411", async () => {
    for (const page of serverActionPages()) {
      const url = baseUrl() + world.fill(page);
      const h = {
        cookie: cookies.lead,
        origin: origin(),
        "next-action": "0".repeat(42),
        "content-type": "text/plain;charset=UTF-8",
      };
      const big = await send(url, { method: "POST", headers: h, body: Buffer.alloc(2 * MiB, 0x20) });
      expect({ page, status: big.status, error: big.error }).toEqual({ page, status: 413, error: undefined });
      const chunked = await send(url, { method: "POST", headers: h, chunked: 2 * MiB });
      expect({ page, status: chunked.status }).toEqual({ page, status: 411 });
    }
  });

  it("a 150 MB body, declared and chunked, is refused with 413 and the server's memory stays flat", async () => {
    const url = `${baseUrl()}/api/projects`;
    const h = { cookie: cookies.lead, origin: origin(), "content-type": "application/json" };
    await send(url, { method: "POST", headers: h, body: Buffer.from("{}") });
    const before = serverRss();
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, serverRss())), 50);
    try {
      const declared = await send(url, { method: "POST", headers: h, body: Buffer.alloc(150 * 1000 * 1000, 0x20) });
      expect({ status: declared.status, error: declared.error }).toEqual({ status: 413, error: undefined });
      const chunked = await send(url, { method: "POST", headers: h, chunked: 150 * 1000 * 1000 });
      expect({ status: chunked.status, error: chunked.error }).toEqual({ status: 413, error: undefined });
      // Three at once: no request holds its body.
      const parallel = await Promise.all(
        [0, 1, 2].map(() => send(url, { method: "POST", headers: h, chunked: 150 * 1000 * 1000 })),
      );
      expect(parallel.map((p) => p.status)).toEqual([413, 413, 413]);
    } finally {
      clearInterval(timer);
    }
    const growth = (peak - before) / MiB;
    console.log(
      `server RSS ${(before / MiB).toFixed(0)} MiB before, peak ${(peak / MiB).toFixed(0)} MiB during 5 × 150 MB bodies (+${growth.toFixed(0)} MiB)`,
    );
    // Before the edge wrapper one such body took the server from 254 to 731 MB.
    expect(growth).toBeLessThan(64);
  }, 180_000);
});

describe("security headers", () => {
  const common = (h: Sent["headers"], where: string) => {
    expect({ where, v: h["referrer-policy"] }).toEqual({ where, v: "no-referrer" });
    expect({ where, v: h["cross-origin-opener-policy"] }).toEqual({ where, v: "same-origin" });
    expect({ where, v: h["x-content-type-options"] }).toEqual({ where, v: "nosniff" });
    expect({ where, v: String(h["permissions-policy"]) }).toEqual({ where, v: expect.stringContaining("camera=()") });
    // APP_URL is http in the tests: no HSTS (the https case is a unit test).
    expect({ where, v: h["strict-transport-security"] }).toEqual({ where, v: undefined });
  };

  it("every page, signed in and anonymous, has a nonce'd strict CSP that changes per response", async () => {
    const seen = new Set<string>();
    for (const p of pages()) {
      for (const cookie of [cookies.lead, cookies.md, ""]) {
        const r = await send(baseUrl() + world.fill(p), { method: "GET", headers: { cookie } });
        const where = `${p} (${r.status})`;
        common(r.headers, where);
        const csp = String(r.headers["content-security-policy"] ?? "");
        const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)' 'strict-dynamic'/.exec(csp)?.[1];
        expect({ where, nonce: !!nonce, inline: /script-src[^;]*unsafe-inline/.test(csp) }).toEqual({
          where,
          nonce: true,
          inline: false,
        });
        expect(csp).toMatch(/object-src 'none'/);
        expect(csp).toMatch(/frame-ancestors 'none'/);
        expect(csp).toMatch(/img-src 'self' blob: data:/);
        seen.add(nonce!);
        if (r.status === 200) {
          // Every script Next wrote into the page carries this response's nonce.
          const scripts = [...r.text.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
          expect(scripts.length).toBeGreaterThan(0);
          expect({ where, without: scripts.filter((s) => !s.includes(`nonce="${nonce}"`)) }).toEqual({
            where,
            without: [],
          });
        }
      }
    }
    expect(seen.size).toBe(pages().length * 3);
  }, 120_000);

  it("every API answer has the headers and a deny-all CSP; images keep their sandbox", async () => {
    for (const { route, verb } of routeHandlers()) {
      if (verb !== "GET" || OWN_TOKEN.has(route)) continue;
      const r = await send(baseUrl() + world.fill(route), { method: "GET", headers: { cookie: cookies.lead } });
      const where = `${route} (${r.status})`;
      common(r.headers, where);
      expect({ where, csp: String(r.headers["content-security-policy"]) }).toEqual({
        where,
        csp: expect.stringMatching(/^default-src 'none';.*sandbox/),
      });
    }
    for (const path of ["/api/auth/session", "/api/auth/csrf"])
      common((await send(baseUrl() + path, { method: "GET" })).headers, path);
    const refused = await send(`${baseUrl()}/api/projects`, {
      method: "POST",
      headers: { origin: EVIL, "content-type": "application/json" },
      body: Buffer.from("{}"),
    });
    common(refused.headers, "a refusal");
    const img = await send(`${baseUrl()}/api/images/${world.ids.imageId}/working`, {
      method: "GET",
      headers: { cookie: cookies.lead },
    });
    expect(img.status).toBe(200);
    expect(img.headers["content-security-policy"]).toBe("default-src 'none'; sandbox");
  }, 120_000);
});
