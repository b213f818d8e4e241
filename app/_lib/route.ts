import { errorResponse } from "@/lib/errors/http";

type Ctx<P> = { params: Promise<P> };

/** Wraps a route handler: every thrown error becomes one JSON error response. */
export function route<P = Record<string, string>>(fn: (req: Request, ctx: Ctx<P>) => Promise<Response>) {
  return async (req: Request, ctx: Ctx<P>) => {
    try {
      return await fn(req, ctx);
    } catch (e) {
      return errorResponse(e);
    }
  };
}

export async function jsonBody(req: Request, maxBytes = 1_000_000): Promise<unknown> {
  const text = await req.text();
  if (text.length > maxBytes) throw Object.assign(new Error("too large"), {});
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    const { AppError } = await import("@/lib/errors/app-error");
    throw new AppError("BAD_REQUEST", "Body is not valid JSON");
  }
}
