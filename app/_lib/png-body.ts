import { AppError } from "@/lib/errors/app-error";
import { readBody } from "./read-body";

/** Reads a raw PNG request body, refusing other types and stopping at maxBytes. */
export async function pngBody(req: Request, maxBytes: number): Promise<Buffer> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "image/png") throw new AppError("UNSUPPORTED", "Send the mask as image/png");
  const body = await readBody(req, maxBytes, "The mask PNG");
  if (!body.length) throw new AppError("BAD_REQUEST", "The mask PNG is empty");
  return body;
}

/** A numeric request header, or undefined when absent (zod reports what is wrong). */
export function numberHeader(req: Request, name: string): number | undefined {
  const v = req.headers.get(name);
  return v === null || v.trim() === "" ? undefined : Number(v);
}
