import { beforeAll, describe, expect, it } from "vitest";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { db } from "../../lib/db/client";
import { makeProject, makeUser } from "../setup/fixtures";
import { projectInVoting } from "./edge-fixture";
import { baseUrl, sameOrigin, sessionCookie } from "./helpers";

// Every API route × every verb × every kind of outsider, against another project's objects:
// the answer is a refusal and the victim's rows do not change (CVAT CVE-2024-47172 class).
// /api/ort/…: onnxruntime-web's own files (public library code, no data), like /_next/static.
const PUBLIC = new Set(["/api/health", "/api/ready", "/api/auth/[...nextauth]", "/api/ort/[version]/[file]"]);
const VERBS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

function discoverRoutes(dir = "app/api", prefix = "/api"): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...discoverRoutes(p, `${prefix}/${name}`));
    else if (name === "route.ts") out.push(prefix);
  }
  return out.sort();
}

type Victim = Record<string, string>;
let victim: Victim;
let victimProjectId: string;
const cookies: Record<string, string> = {};
let victimMdCookie = "";

async function fingerprint(projectId: string): Promise<string> {
  const rows = await db().$queryRawUnsafe<{ t: string; h: string | null }[]>(
    `
    SELECT 'project' t, md5(string_agg(p::text, ',')) h FROM "Project" p WHERE id = $1::uuid
    UNION ALL SELECT 'members', md5(string_agg(m::text, ',' ORDER BY m.id)) FROM "Membership" m WHERE "projectId" = $1::uuid
    UNION ALL SELECT 'images', md5(string_agg(i::text, ',' ORDER BY i.id)) FROM "Image" i WHERE "projectId" = $1::uuid
    UNION ALL SELECT 'tasks', md5(string_agg(t::text, ',' ORDER BY t.id)) FROM "Task" t WHERE "projectId" = $1::uuid
    UNION ALL SELECT 'drafts', md5(string_agg(d::text, ',' ORDER BY d.id)) FROM "Draft" d WHERE "projectId" = $1::uuid
    UNION ALL SELECT 'masks', md5(string_agg(m::text, ',' ORDER BY m.id)) FROM "Mask" m WHERE "projectId" = $1::uuid
    UNION ALL SELECT 'ballots', md5(string_agg(b::text, ',' ORDER BY b.id)) FROM "Ballot" b JOIN "Round" r ON r.id = b."roundId" WHERE r."projectId" = $1::uuid
    UNION ALL SELECT 'votes', md5(string_agg(v::text, ',' ORDER BY v.id)) FROM "Vote" v JOIN "Round" r ON r.id = v."roundId" WHERE r."projectId" = $1::uuid
    UNION ALL SELECT 'gt', md5(string_agg(g::text, ',' ORDER BY g.id)) FROM "GroundTruth" g WHERE "projectId" = $1::uuid
    UNION ALL SELECT 'rounds', md5(string_agg(r::text, ',' ORDER BY r.id)) FROM "Round" r WHERE "projectId" = $1::uuid
    UNION ALL SELECT 'exports', md5(string_agg(e::text, ',' ORDER BY e.id)) FROM "Export" e WHERE "projectId" = $1::uuid
    UNION ALL SELECT 'jobs', md5(string_agg(j::text, ',' ORDER BY j.id)) FROM "Job" j WHERE "projectId" = $1::uuid`,
    projectId,
  );
  return rows.map((r) => `${r.t}:${r.h}`).join("|");
}

function fill(route: string): string {
  return route.replace(/\[([^\]]+)\]/g, (_m, name: string) => victim[name] ?? randomUUID());
}

beforeAll(async () => {
  const { v, ids } = await projectInVoting("V");
  victimProjectId = v.project.id;
  victim = ids;

  const attacker = await makeProject();
  const stranger = await makeUser();
  for (const [name, u] of Object.entries({
    lead: attacker.lead,
    md: attacker.md,
    exporter: attacker.exporter,
    stranger,
  })) {
    cookies[name] = await sessionCookie(u.email, u.password);
  }
  victimMdCookie = await sessionCookie(v.md.email, v.md.password);
}, 180_000);

describe("authorization matrix", () => {
  const routes = discoverRoutes().filter((r) => !PUBLIC.has(r));

  it("discovers the API routes", () => {
    expect(routes.length).toBeGreaterThanOrEqual(10);
  });

  it("refuses every outsider on every route and verb, and leaves the victim's data unchanged", async () => {
    const before = await fingerprint(victimProjectId);
    const failures: string[] = [];
    for (const route of routes) {
      const url = baseUrl() + fill(route);
      for (const verb of VERBS) {
        for (const [who, cookie] of [["anonymous", ""], ...Object.entries(cookies)] as [string, string][]) {
          const r = await fetch(url, {
            method: verb,
            headers: { ...sameOrigin(), cookie, "content-type": "application/json" },
            body: verb === "GET" ? undefined : "{}",
            redirect: "manual",
          });
          const text = await r.text();
          // A route without ids (e.g. GET /api/projects) answers with the caller's own data: it may
          // succeed, but must not mention the victim.
          const selfScoped = !route.includes("[") && r.status === 200 && who !== "anonymous";
          const leaks = Object.values(victim).some((v) => v.length > 8 && text.includes(v));
          // 415: the edge refuses a JSON body on the PNG upload routes before any lookup.
          const ok =
            (selfScoped && !leaks) ||
            ([400, 401, 403, 404, 405, 415].includes(r.status) && !(who === "anonymous" && r.status === 403));
          if (!ok) failures.push(`${verb} ${route} as ${who} → ${r.status}${leaks ? " (mentions the victim)" : ""}`);
        }
      }
    }
    // admin-only routes are a special case of the above: no non-admin may list users
    expect(failures).toEqual([]);
    expect(await fingerprint(victimProjectId)).toBe(before);
  }, 300_000);

  it("the x-middleware-subrequest header opens nothing (Next.js CVE-2025-29927)", async () => {
    const before = await fingerprint(victimProjectId);
    for (const route of routes) {
      for (const verb of VERBS) {
        const r = await fetch(baseUrl() + fill(route), {
          method: verb,
          headers: {
            ...sameOrigin(),
            "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware",
            "content-type": "application/json",
          },
          body: verb === "GET" ? undefined : "{}",
          redirect: "manual",
        });
        expect([400, 401, 405], `${verb} ${route} → ${r.status}`).toContain(r.status);
        await r.body?.cancel();
      }
    }
    expect(await fingerprint(victimProjectId)).toBe(before);
  }, 120_000);

  it("a member with the wrong role is refused on lead-only routes", async () => {
    const before = await fingerprint(victimProjectId);
    for (const [verb, route] of [
      ["POST", "/api/projects/[projectId]/members"],
      ["GET", "/api/projects/[projectId]/members"],
      ["GET", "/api/images/[imageId]/candidates"],
      ["POST", "/api/images/[imageId]/resolve"],
      ["GET", "/api/admin/users"],
    ] as const) {
      const r = await fetch(baseUrl() + fill(route), {
        method: verb,
        headers: { ...sameOrigin(), cookie: victimMdCookie, "content-type": "application/json" },
        body:
          verb === "GET"
            ? undefined
            : JSON.stringify({ email: "someone@example.com", roles: ["LEAD"], candidateId: null }),
      });
      expect([403, 404], `${verb} ${route} → ${r.status}`).toContain(r.status);
    }
    expect(await fingerprint(victimProjectId)).toBe(before);
  });
});
