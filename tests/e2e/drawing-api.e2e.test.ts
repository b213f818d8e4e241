import { beforeAll, describe, expect, it } from "vitest";
import { baseUrl, sameOrigin, sessionCookie } from "./helpers";
import { db } from "../../lib/db/client";
import { encodeMaskPng } from "../../lib/masks/png-codec";
import { claimNextTask } from "../../lib/drawing/mutations";
import { makeUser } from "../setup/fixtures";
import { makeDrawingProject } from "../setup/drawing";

// Every drawing route × who is asking, over HTTP against the built app: nobody but the
// assignee changes anything, and the middleware-bypass header changes nothing.
let fx: Awaited<ReturnType<typeof makeDrawingProject>>;
let taskId: string;
let png: Buffer;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  fx = await makeDrawingProject({ images: 1, mds: 2, width: 64, height: 48 });
  taskId = (await claimNextTask(fx.md.actor, fx.project.id))!.id;
  png = encodeMaskPng(new Uint8Array(64 * 48).fill(1, 0, 200), 64, 48);
  const outsider = await makeUser();
  for (const [name, u] of Object.entries({
    md: fx.md,
    otherMd: fx.mds[1],
    lead: fx.lead,
    exporter: fx.exporter,
    outsider,
  })) {
    cookies[name] = await sessionCookie(u.email, u.password);
  }
});

type Call = {
  name: string;
  method: string;
  path: () => string;
  body?: () => BodyInit;
  type?: string;
  headers?: Record<string, string>;
};
const task = (rest: string) => () => `/api/tasks/${taskId}${rest}`;
const asPng = (headers: Record<string, string>) => ({ body: () => new Uint8Array(png), type: "image/png", headers });
const asJson = (body: unknown) => ({ body: () => JSON.stringify(body), type: "application/json" });
const calls: Call[] = [
  { name: "claim", method: "POST", path: () => `/api/projects/${fx.project.id}/tasks/next`, ...asJson({}) },
  { name: "task", method: "GET", path: task("") },
  { name: "draft get", method: "GET", path: task("/draft") },
  { name: "draft put", method: "PUT", path: task("/draft"), ...asPng({ "x-base-version": "0", "x-elapsed-ms": "10" }) },
  {
    name: "submit",
    method: "POST",
    path: task("/submit"),
    ...asPng({ "x-elapsed-ms": "10", "idempotency-key": "matrix-key-1" }),
  },
  { name: "skip", method: "POST", path: task("/skip"), ...asJson({ reason: "not mine at all" }) },
  {
    name: "confirm",
    method: "POST",
    path: task("/confirm"),
    ...asJson({ approved: true, elapsedMs: 1, idempotencyKey: "matrix-key-2" }),
  },
  { name: "start mask", method: "GET", path: task("/start-mask?i=0") },
];

// Expected status per caller and route (the assignee is exercised by the browser tests).
const expected: Record<string, Record<string, number>> = {
  anonymous: Object.fromEntries(calls.map((c) => [c.name, 401])),
  outsider: Object.fromEntries(calls.map((c) => [c.name, 404])),
  exporter: Object.fromEntries(calls.map((c) => [c.name, 403])),
  otherMd: {
    claim: 200,
    task: 403,
    "draft get": 403,
    "draft put": 403,
    submit: 403,
    skip: 403,
    confirm: 403,
    "start mask": 403,
  },
  lead: {
    claim: 403,
    task: 200,
    "draft get": 404,
    "draft put": 403,
    submit: 403,
    skip: 403,
    confirm: 403,
    "start mask": 404,
  },
};

async function send(c: Call, who: string, bypass: boolean) {
  const headers: Record<string, string> = { ...sameOrigin(), ...(c.headers ?? {}) };
  if (c.type) headers["content-type"] = c.type;
  if (who !== "anonymous") headers.cookie = cookies[who];
  if (bypass) headers["x-middleware-subrequest"] = "middleware:middleware:middleware:middleware:middleware";
  const r = await fetch(`${baseUrl()}${c.path()}`, { method: c.method, headers, body: c.body?.(), redirect: "manual" });
  return r.status;
}

describe("drawing routes: authorisation matrix", () => {
  for (const who of Object.keys(expected)) {
    it(`${who}: refused everywhere it should be, with or without x-middleware-subrequest`, async () => {
      for (const c of calls) {
        for (const bypass of [false, true]) {
          expect({ who, route: c.name, bypass, status: await send(c, who, bypass) }).toEqual({
            who,
            route: c.name,
            bypass,
            status: expected[who][c.name],
          });
        }
      }
      const task = await db().task.findUniqueOrThrow({ where: { id: taskId } });
      expect(task).toMatchObject({ status: "CLAIMED", assigneeId: fx.md.id, maskId: null });
      expect(await db().draft.count({ where: { taskId } })).toBe(0);
      expect(await db().mask.count({ where: { imageId: fx.images[0].id } })).toBe(0);
    });
  }

  it("the assignee's uploads are checked: type, size and dimensions", async () => {
    const put = (body: BodyInit, type: string) =>
      fetch(`${baseUrl()}/api/tasks/${taskId}/draft`, {
        method: "PUT",
        body,
        headers: {
          ...sameOrigin(),
          cookie: cookies.md,
          "content-type": type,
          "x-base-version": "0",
          "x-elapsed-ms": "0",
        },
      });
    expect((await put(new Uint8Array(png), "text/html")).status).toBe(415);
    expect((await put(new Uint8Array(17 * 1024 * 1024), "image/png")).status).toBe(413);
    const wrong = encodeMaskPng(new Uint8Array(32 * 24), 32, 24);
    const r = await put(new Uint8Array(wrong), "image/png");
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/native resolution/);
    const ok = await put(new Uint8Array(png), "image/png");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ version: 1, replayed: false });
    const got = await fetch(`${baseUrl()}/api/tasks/${taskId}/draft`, { headers: { cookie: cookies.md } });
    expect(got.headers.get("content-type")).toBe("image/png");
    expect(got.headers.get("x-content-type-options")).toBe("nosniff");
    expect(got.headers.get("x-draft-version")).toBe("1");
  });
});
