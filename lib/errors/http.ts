import { ZodError } from "zod";
import { AppError, type ErrorCode } from "./app-error";
import { logger } from "../log/logger";

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
    const issues = e.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    return Response.json({ error: { code: "BAD_REQUEST", message: "Invalid input", issues } }, { status: 400 });
  }
  if (e instanceof AppError) {
    return Response.json(
      { error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } },
      { status: statusOf[e.code] },
    );
  }
  logger.error("unhandled error", { err: e instanceof Error ? e.stack ?? e.message : String(e) });
  return Response.json({ error: { code: "INTERNAL", message: "Internal error" } }, { status: 500 });
}
