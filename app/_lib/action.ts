import { headers } from "next/headers";
import { type z, ZodError, type ZodType } from "zod";
import { env } from "@/lib/config/env";
import { isAppError } from "@/lib/errors/app-error";
import { logger } from "@/lib/log/logger";
import { describeZodError } from "@/lib/errors/zod-message";
import { requireUser, type SessionUser } from "./session";
import { crossSiteRefusal } from "./edge/csrf";

// The server-action side of the edge (route.ts is the API side): cross-site refusal (proxy.ts
// already answers 403 before Next runs an action; this holds if the proxy's matcher ever
// misses), session, input parsed with zod, one domain call, and every error mapped here to a
// message the form can show. Server action bodies are capped by serverActions.bodySizeLimit.

export type ActionResult<R = void> =
  | ([R] extends [void] ? { ok: true } : { ok: true } & R)
  | { ok: false; error: string };

function message(e: unknown): string | null {
  if (isAppError(e)) return e.message;
  if (e instanceof ZodError) return describeZodError(e).message;
  return null;
}

export function action<S extends ZodType, R = void>(
  input: S,
  fn: (user: SessionUser, input: z.infer<S>) => Promise<R>,
) {
  return async (raw: unknown): Promise<ActionResult<R>> => {
    try {
      const refusal = crossSiteRefusal("POST", await headers(), env().APP_URL);
      if (refusal) return { ok: false, error: refusal };
      const user = await requireUser();
      const r = await fn(user, input.parse(raw));
      return { ok: true, ...(r ?? {}) } as ActionResult<R>;
    } catch (e) {
      const m = message(e);
      if (m !== null) return { ok: false, error: m };
      logger.error("unhandled error in a server action", {
        err: e instanceof Error ? (e.stack ?? e.message) : String(e),
      });
      return { ok: false, error: "Internal error; try again, and tell the administrator if it persists" };
    }
  };
}
