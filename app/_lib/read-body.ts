import { AppError } from "@/lib/errors/app-error";

/** The raw request body, refused past maxBytes while streaming (never buffered whole first). */
export async function readBody(req: Request, maxBytes: number, what = "The upload"): Promise<Buffer> {
  const tooLarge = () => new AppError("TOO_LARGE", `${what} is larger than ${maxBytes} bytes`);
  if (Number(req.headers.get("content-length") ?? "0") > maxBytes) throw tooLarge();
  if (!req.body) return Buffer.alloc(0);
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    parts.push(value);
  }
  return Buffer.concat(parts);
}
