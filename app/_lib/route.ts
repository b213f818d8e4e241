import { NextRequest } from "next/server";
import type { z, ZodType } from "zod";
import { errorResponse } from "@/lib/errors/http";
import { AppError } from "@/lib/errors/app-error";
import { env } from "@/lib/config/env";
import { requireUser, type SessionUser } from "./session";
import { crossSiteRefusal, isFormType, isStateChanging, mediaType } from "./edge/csrf";
import { LimitedBody } from "./edge/limited-body";
import { withApiHeaders } from "./edge/security-headers";

// The one edge every API route goes through. In order: cross-site refusal (403), declared size
// (413), session (401), content type (415), path and query parameters (400), body read while
// streaming and refused past its limit (413), then the route's one domain call. Errors become
// JSON in one place; whatever body the route left unread is drained so the client always gets
// the answer; every answer gets the security headers.

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const JSON_MAX_BYTES = 64 * KiB;

type JsonSpec<S extends ZodType> = { kind: "json"; schema: S; maxBytes: number };
type RawSpec = { kind: "raw"; types: readonly string[] | null; maxBytes: () => number; what: string; hint?: string };
/** A body the route's library reads itself (next-auth): read under the limit, then handed over as a fresh request. */
type OwnSpec = { kind: "own"; maxBytes: number };
type BodySpec = JsonSpec<ZodType> | RawSpec | OwnSpec;

/** A JSON body parsed with `schema`; Content-Type must be application/json. */
export function json<S extends ZodType>(schema: S, maxBytes = JSON_MAX_BYTES): JsonSpec<S> {
  return { kind: "json", schema, maxBytes };
}

/**
 * A raw body the route streams or buffers itself. `types`: the accepted media types (null: any
 * type a cross-site form cannot send).
 */
export function raw(o: {
  types?: readonly string[];
  maxBytes: number | (() => number);
  what: string;
  hint?: string;
}): RawSpec {
  const max = o.maxBytes;
  return {
    kind: "raw",
    types: o.types ?? null,
    maxBytes: typeof max === "number" ? () => max : max,
    what: o.what,
    hint: o.hint,
  };
}

export function ownBody(maxBytes: number): OwnSpec {
  return { kind: "own", maxBytes };
}

type Auth = "user" | "none";
type Infer<T, D> = T extends ZodType ? z.infer<T> : D;
type BodyOf<B> =
  B extends JsonSpec<infer S>
    ? z.infer<S>
    : B extends RawSpec
      ? LimitedBody
      : B extends OwnSpec
        ? NextRequest
        : undefined;

export type RouteSpec<A extends Auth, P, Q, B> = {
  /** "none": public, or the route checks another credential (a signed link). */
  auth?: A;
  params?: P;
  query?: Q;
  body?: B;
  /** "own-token": the library has its own CSRF token (next-auth); Origin is not required. */
  csrf?: "origin" | "own-token";
};

export type RouteInput<A extends Auth, P, Q, B> = {
  req: Request;
  user: A extends "none" ? null : SessionUser;
  params: Infer<P, Record<string, never>>;
  query: Infer<Q, Record<string, never>>;
  body: BodyOf<B>;
  /** Next's own route context, for libraries that read it (next-auth). */
  context: Ctx;
};

type Ctx = { params: Promise<Record<string, string | string[]>> };

function checkContentType(req: Request, spec: BodySpec | undefined): void {
  if (spec?.kind === "own") return;
  const type = mediaType(req.headers);
  if (!spec) {
    // A route that takes no body still refuses the types an HTML form can send cross-site.
    if (isFormType(type))
      throw new AppError("UNSUPPORTED", `Send this request as an empty POST, without a body (got ${type})`);
    return;
  }
  if (spec.kind === "json") {
    if (type !== "application/json")
      throw new AppError("UNSUPPORTED", `Send the body as Content-Type: application/json (got ${type || "none"})`);
  } else if (spec.types ? !spec.types.includes(type) : isFormType(type) || type === "") {
    const wanted = spec.types ? spec.types.join(" or ") : "a file type such as application/octet-stream";
    throw new AppError("UNSUPPORTED", `Send ${spec.what.toLowerCase()} as ${wanted} (got ${type || "none"})`);
  }
}

function bodyLimit(spec: BodySpec | undefined): { max: number; what: string; hint?: string } {
  if (!spec) return { max: 0, what: "This request takes no body; the body" };
  if (spec.kind === "json") return { max: spec.maxBytes, what: "The JSON body" };
  if (spec.kind === "own") return { max: spec.maxBytes, what: "The body" };
  return { max: spec.maxBytes(), what: spec.what, hint: spec.hint };
}

async function parseJson(body: LimitedBody): Promise<unknown> {
  const text = (await body.buffer()).toString("utf8");
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw new AppError("BAD_REQUEST", "Body is not valid JSON");
  }
}

export function route<
  A extends Auth = "user",
  P extends ZodType | undefined = undefined,
  Q extends ZodType | undefined = undefined,
  B extends BodySpec | undefined = undefined,
>(spec: RouteSpec<A, P, Q, B>, fn: (input: RouteInput<A, P, Q, B>) => Promise<Response> | Response) {
  return async (req: Request, ctx: Ctx): Promise<Response> => {
    const appUrl = env().APP_URL;
    const limit = bodyLimit(spec.body);
    const body = new LimitedBody(req, limit.max, limit.what, limit.hint);
    let res: Response;
    try {
      if (spec.csrf !== "own-token") {
        const refusal = crossSiteRefusal(req.method, req.headers, appUrl);
        if (refusal) throw new AppError("FORBIDDEN", refusal);
      }
      body.checkDeclared();
      const user = spec.auth === "none" ? null : await requireUser();
      if (isStateChanging(req.method)) checkContentType(req, spec.body);
      const params = spec.params ? spec.params.parse(await ctx.params) : {};
      const query = spec.query ? spec.query.parse(Object.fromEntries(new URL(req.url).searchParams)) : {};
      let parsed: unknown;
      if (spec.body?.kind === "json") parsed = spec.body.schema.parse(await parseJson(body));
      else if (spec.body?.kind === "raw") parsed = body;
      else if (spec.body?.kind === "own") {
        const bytes = isStateChanging(req.method) && req.body ? new Uint8Array(await body.buffer()) : undefined;
        parsed = new NextRequest(req.url, { method: req.method, headers: req.headers, body: bytes });
      } else if (!spec.body && req.body && isStateChanging(req.method)) {
        for await (const _ of body.chunks()) void _; // a route without a body refuses any byte
      }
      res = await fn({ req, user, params, query, body: parsed, context: ctx } as RouteInput<A, P, Q, B>);
    } catch (e) {
      res = errorResponse(e);
    }
    await body.drain();
    return withApiHeaders(res, appUrl);
  };
}
