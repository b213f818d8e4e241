import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { LocalStore } from "../../lib/storage/local-store";
import type { ObjectStore } from "../../lib/storage/types";
import { testS3Store } from "../setup/s3";

const hostileKeys = [
  "../etc/passwd",
  "a/../../b",
  "%2e%2e/x",
  "..\\windows",
  "/abs/path",
  "a//b",
  "",
  ".hidden",
  "a/./b",
  "a\0b",
];

function contract(name: string, make: () => Promise<ObjectStore>) {
  describe(name, () => {
    it("round-trips bytes and streams, lists by prefix, deletes", async () => {
      const s = await make();
      const prefix = `t${Date.now()}`;
      await s.put(`${prefix}/a.png`, Buffer.from("hello"), { contentType: "image/png" });
      await s.putStream(`${prefix}/b/c.bin`, Readable.from([Buffer.from("wor"), Buffer.from("ld")]));
      expect((await s.get(`${prefix}/a.png`)).toString()).toBe("hello");
      const chunks: Buffer[] = [];
      for await (const c of await s.getStream(`${prefix}/b/c.bin`)) chunks.push(Buffer.from(c));
      expect(Buffer.concat(chunks).toString()).toBe("world");
      expect(await s.size(`${prefix}/b/c.bin`)).toBe(5);
      const keys: string[] = [];
      for await (const k of s.list(`${prefix}/`)) keys.push(k);
      expect(keys.sort()).toEqual([`${prefix}/a.png`, `${prefix}/b/c.bin`]);
      await s.delete(`${prefix}/a.png`);
      expect(await s.exists(`${prefix}/a.png`)).toBe(false);
      await expect(s.get(`${prefix}/a.png`)).rejects.toMatchObject({ code: "NOT_FOUND" });
    });

    it("refuses keys that could escape the storage root", async () => {
      const s = await make();
      for (const k of hostileKeys) {
        await expect(s.get(k), k).rejects.toMatchObject({ code: "BAD_REQUEST" });
        await expect(s.put(k, Buffer.from("x")), k).rejects.toMatchObject({ code: "BAD_REQUEST" });
      }
    });
  });
}

contract("local directory store", async () => new LocalStore(mkdtempSync(path.join(os.tmpdir(), "tandem-store-"))));
contract("S3 store against an S3-protocol server", async () => {
  const s = testS3Store();
  await s.ensureBucket();
  return s;
});
