import { createHmac } from "node:crypto";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const PSEUDONYM_CHARS = 16; // 80 bits: collisions stay negligible far beyond any project's patient count

function base32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/** Keyed HMAC-SHA256 with a purpose label, so the same key never yields related values for different uses. */
export function keyedDigest(key: string, purpose: string, value: string): Buffer {
  return createHmac("sha256", key).update(`tandem/${purpose}/v1\u0000`).update(value, "utf8").digest();
}

/**
 * Stable per-patient pseudonym ("P-" + 16 base32 characters). Same key and patient id → same
 * pseudonym, so folds can be split by patient; without the key it cannot be reversed or recomputed.
 * Surrounding spaces (DICOM padding) are ignored; an empty id has no pseudonym.
 */
export function patientPseudonym(key: string, patientId: string): string | undefined {
  const id = patientId.trim();
  if (id === "") return undefined;
  return `P-${base32(keyedDigest(key, "patient-id", id)).slice(0, PSEUDONYM_CHARS)}`;
}
