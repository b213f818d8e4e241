import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "@/lib/storage/sha256";

describe("sha256Hex", () => {
  it("gives the SHA-256 of small (inline) and large (thread pool) inputs, views included", async () => {
    const big = randomBytes(3 << 20);
    for (const b of [new Uint8Array(0), randomBytes(20_000), big, big.subarray(1_000, 300_000), big.subarray(7, 99)])
      expect(await sha256Hex(b)).toBe(createHash("sha256").update(b).digest("hex"));
  });
});
