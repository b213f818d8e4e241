import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { crc32 } from "node:zlib";
import { SpoolFile } from "../../../lib/exports/spool-file";

// The spool file appends synchronously into a 256 KiB buffer: what it writes must be exactly
// what was appended, in order, whatever the mix of strings and bytes and wherever the buffer
// boundary falls (a multi-byte character on it included), with the size and CRC-32 to match.

const dir = mkdtempSync(path.join(os.tmpdir(), "tandem-spool-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const collect = async (it: AsyncIterable<Uint8Array>) => {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
};

describe("SpoolFile", () => {
  it("writes exactly what was appended: rows, multi-byte text across the buffer boundary, large and empty byte runs", async () => {
    const f = new SpoolFile(path.join(dir, "mixed.bin"));
    const expected: Buffer[] = [];
    const add = (d: string | Uint8Array) => {
      f.append(d);
      expected.push(typeof d === "string" ? Buffer.from(d, "utf8") : Buffer.from(d));
    };
    for (let i = 0; i < 20_000; i++) add(`${i},row ${i % 7},ü€😀\n`); // crosses the 256 KiB buffer many times
    expect(f.size).toBe(Buffer.concat(expected).length); // text still gathered is counted too
    add("a few more");
    add(new Uint8Array(0));
    add(Buffer.alloc(300 * 1024, 7)); // larger than the buffer: written through
    add("é".repeat(100_000)); // a string longer than a third of the buffer
    add(Uint8Array.from([1, 2, 3]));
    await f.close();
    const want = Buffer.concat(expected);
    const got = readFileSync(f.path);
    expect(got.length).toBe(want.length);
    expect(got.equals(want)).toBe(true);
    expect(f.size).toBe(want.length);
    expect(f.crc32).toBe(crc32(want));
    expect((await collect(f.read())).equals(want)).toBe(true);
  });

  it("an empty spool file is an empty file; appends after close and reads before it are refused", async () => {
    const f = new SpoolFile(path.join(dir, "empty.bin"));
    expect(() => f.read()).toThrow(/close the spool file/);
    await f.close();
    expect(readFileSync(f.path).length).toBe(0);
    expect(f.size).toBe(0);
    expect(f.crc32).toBe(0);
    expect(() => f.append("x")).toThrow(/already closed/);
  });

  it("dispose closes the file without writing what is still buffered", async () => {
    const f = new SpoolFile(path.join(dir, "disposed.bin"));
    f.append(Buffer.alloc(300 * 1024, 1)); // written through: opens the file
    f.append("buffered, never written");
    f.dispose();
    expect(readFileSync(f.path).length).toBe(300 * 1024);
    expect(() => f.append("x")).toThrow(/already closed/);
  });
});
