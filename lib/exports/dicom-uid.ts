import { createHash } from "node:crypto";

/**
 * A UID under 2.25 made from a hash of its parts: the same inputs give the same UID in every
 * export, so re-exporting an unchanged dataset reproduces its DICOM objects byte for byte.
 */
export function derivedUid(...parts: string[]): string {
  const digest = createHash("sha256")
    .update(`tandem-export/uid/v1\u0000${parts.join("\u0000")}`)
    .digest()
    .subarray(0, 16);
  return `2.25.${BigInt(`0x${digest.toString("hex")}`).toString(10)}`;
}
