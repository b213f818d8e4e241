import { AppError } from "@/lib/errors/app-error";
import { raw } from "./route";
import type { LimitedBody } from "./edge/limited-body";
import { MAX_MASK_PNG_BYTES } from "@/lib/drawing/schema";

/** The body spec of the mask uploads: image/png only, up to the mask size limit. */
export const maskPngBody = raw({ types: ["image/png"], maxBytes: MAX_MASK_PNG_BYTES, what: "The mask PNG" });

/** Reads the mask PNG (the wrapper has checked its type and streams it under the limit). */
export async function pngBody(body: LimitedBody): Promise<Buffer> {
  const png = await body.buffer();
  if (!png.length) throw new AppError("BAD_REQUEST", "The mask PNG is empty");
  return png;
}

/** A numeric request header, or undefined when absent (zod reports what is wrong). */
export function numberHeader(req: Request, name: string): number | undefined {
  const v = req.headers.get(name);
  return v === null || v.trim() === "" ? undefined : Number(v);
}
