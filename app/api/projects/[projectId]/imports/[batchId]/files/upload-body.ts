import { AppError } from "@/lib/errors/app-error";

/** The raw request body as chunks, refused past maxBytes (declared or actual). */
export async function* uploadBody(req: Request, maxBytes: number): AsyncGenerator<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  const tooLarge = () => new AppError("TOO_LARGE", `The upload is larger than the limit of ${maxBytes} bytes; import large sets with the command line (npx tandem import)`);
  if (declared > maxBytes) throw tooLarge();
  if (!req.body) return;
  let size = 0;
  for await (const chunk of req.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    yield chunk;
  }
}
