import { timingSafeEqual } from "node:crypto";
import { AppError } from "../errors/app-error";
import { keyedDigest } from "../images/pseudonym";

export interface LinkClaims {
  exportId: string;
  userId: string;
  /** Unix seconds. */
  expires: number;
}

function secret(): string {
  const s = process.env.AUTH_SECRET;
  if (!s || s.length < 32) throw new AppError("CONFIG", "AUTH_SECRET is not set");
  return s;
}

// A purpose label of its own, so a link signature is never valid as any other keyed value.
const sign = (c: LinkClaims) =>
  keyedDigest(secret(), "export-download-link", `${c.exportId}\u0000${c.userId}\u0000${c.expires}`).toString(
    "base64url",
  );

/** Query string of a download link: who asked for it, until when, and the HMAC over both and the export. */
export function signDownload(c: LinkClaims): string {
  return new URLSearchParams({ u: c.userId, e: String(c.expires), s: sign(c) }).toString();
}

/**
 * Checks a link's signature and expiry. The link is the download's credential, so anything
 * forged, altered or expired is UNAUTHENTICATED (401), like a missing session elsewhere.
 */
export function verifyDownload(
  exportId: string,
  q: URLSearchParams,
  nowSeconds = Math.floor(Date.now() / 1000),
): LinkClaims {
  const userId = q.get("u") ?? "";
  const expires = Number(q.get("e"));
  const given = Buffer.from(q.get("s") ?? "", "base64url");
  if (!/^[0-9a-f-]{36}$/.test(userId) || !Number.isSafeInteger(expires))
    throw new AppError("UNAUTHENTICATED", "This download link is not valid");
  const claims = { exportId, userId, expires };
  const expected = Buffer.from(sign(claims), "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new AppError("UNAUTHENTICATED", "This download link is not valid");
  if (expires < nowSeconds) throw new AppError("UNAUTHENTICATED", "This download link has expired: ask for a new one");
  return claims;
}
