import { keyedDigest } from "../pseudonym";

/**
 * Replaces a UID with "2.25." + a 128-bit keyed HMAC of it (a UUID-derived UID per PS3.5 B.2):
 * the same original UID always maps to the same new UID for a given key, across files and
 * runs, so references between instances stay intact.
 */
export function remapUid(key: string, uid: string): string {
  const original = uid.replace(/[\s\u0000]+$/, "").trim();
  if (original === "") return "";
  const digest = keyedDigest(key, "uid", original).subarray(0, 16);
  return `2.25.${BigInt(`0x${digest.toString("hex")}`).toString(10)}`;
}
