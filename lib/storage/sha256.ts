import { webcrypto } from "node:crypto";

/**
 * SHA-256 as hex on libuv's thread pool (WebCrypto digests run there), so hashing runs beside
 * decoding, encoding and writing instead of holding the event loop.
 */
export async function sha256Off(b: Uint8Array): Promise<string> {
  return Buffer.from(await webcrypto.subtle.digest("SHA-256", b as Uint8Array<ArrayBuffer>)).toString("hex");
}
