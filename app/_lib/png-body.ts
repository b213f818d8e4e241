import { AppError } from "@/lib/errors/app-error";

/** Reads a raw PNG request body, refusing other types and stopping at maxBytes. */
export async function pngBody(req: Request, maxBytes: number): Promise<Buffer> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "image/png") throw new AppError("UNSUPPORTED", "Send the mask as image/png");
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new AppError("TOO_LARGE", "The mask PNG is too large");
  if (!req.body) throw new AppError("BAD_REQUEST", "The mask PNG is empty");
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel();
      throw new AppError("TOO_LARGE", "The mask PNG is too large");
    }
    parts.push(value);
  }
  return Buffer.concat(parts);
}

/** A numeric request header, or undefined when absent (zod reports what is wrong). */
export function numberHeader(req: Request, name: string): number | undefined {
  const v = req.headers.get(name);
  return v === null || v.trim() === "" ? undefined : Number(v);
}
