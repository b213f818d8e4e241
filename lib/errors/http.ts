import { ZodError } from "zod";
import { AppError, type ErrorCode } from "./app-error";
import { logger } from "../log/logger";
import { describeZodError } from "./zod-message";

const statusOf: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_LARGE: 413,
  UNSUPPORTED: 415,
  RATE_LIMITED: 429,
  CONFIG: 500,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export function httpStatus(code: ErrorCode): number {
  return statusOf[code];
}

/** Turns anything thrown at an edge into a JSON response without leaking internals. */
export function errorResponse(e: unknown): Response {
  if (e instanceof ZodError) {
    const { message, issues } = describeZodError(e);
    return Response.json({ error: { code: "BAD_REQUEST", message, issues } }, { status: 400 });
  }
  if (e instanceof AppError) {
    return Response.json(
      { error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } },
      { status: statusOf[e.code] },
    );
  }
  if (isDatabaseUnavailable(e)) {
    logger.warn("database unavailable", { err: e instanceof Error ? e.message : String(e) });
    return Response.json(
      { error: { code: "UNAVAILABLE", message: "The database is unavailable or busy; retry in a few seconds" } },
      { status: 503, headers: { "Retry-After": "2" } },
    );
  }
  logger.error("unhandled error", { err: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  return Response.json({ error: { code: "INTERNAL", message: "Internal error" } }, { status: 500 });
}

// Connection refused/reset, server shutting down or starting, pool or transaction start timed out.
const DB_DOWN_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08006",
  "P1001",
  "P1002",
  "P1017",
  "P2024",
  "P2028",
]);

function isDatabaseUnavailable(e: unknown): boolean {
  for (
    let cur: unknown = e, depth = 0;
    cur && typeof cur === "object" && depth < 4;
    cur = (cur as { cause?: unknown }).cause, depth++
  ) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string" && DB_DOWN_CODES.has(code)) return true;
    const msg = (cur as { message?: unknown }).message;
    if (
      typeof msg === "string" &&
      /Unable to start a transaction|Connection terminated|Can't reach database server|terminating connection due to administrator command/.test(
        msg,
      )
    )
      return true;
  }
  return false;
}
