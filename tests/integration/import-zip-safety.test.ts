import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { zipSync, type Zippable } from "fflate";
import { filesFromPath } from "../../lib/imports/folder-source";
import { filesFromStream } from "../../lib/imports/stream-source";
import type { ImportFile } from "../../lib/imports/types";
import { centralDirectoryOf } from "../../lib/imports/zip-central-directory";

const dir = mkdtempSync(path.join(os.tmpdir(), "tandem-zip-safety-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function* chunked(data: Uint8Array, size = 5_000): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function collect(it: AsyncIterable<ImportFile>): Promise<ImportFile[]> {
  const out: ImportFile[] = [];
  for await (const f of it) out.push(f);
  return out;
}

const lines = (files: ImportFile[]) =>
  files.map((f) => ("error" in f ? `${f.name}: ${f.error}` : `${f.name} (${f.bytes.length})`));
/** A Unix symbolic link entry: its data is the target path, its mode (external attributes) says "link". */
const link = (target: string) => [Buffer.from(target), { level: 0, os: 3, attrs: (0o120777 << 16) >>> 0 }] as const;
const file = (n: number, seed: number) => Buffer.alloc(n, seed);

describe("ZIP entries that are symbolic links", () => {
  const zip = zipSync({
    "set/ok.png": file(300, 1),
    "set/passwd.png": link("/etc/passwd"),
    "set/up": link("../../outside"),
    "set/up/secret.png": file(200, 2), // reached through the link "set/up"
    "set/upper.png": file(100, 3), // only shares a prefix with the link's name
  } as unknown as Zippable);

  it("the central directory marks exactly the links", async () => {
    const cd = await centralDirectoryOf(Buffer.from(zip));
    expect(cd?.filter((e) => e.symlink).map((e) => e.name)).toEqual(["set/passwd.png", "set/up"]);
  });

  it("an upload refuses each link as a link, and everything reached through one", async () => {
    const out = lines(await collect(filesFromStream("bundle.zip", chunked(zip), { maxFileBytes: 1024 * 1024 })));
    expect(out).toEqual([
      "set/ok.png (300)",
      "set/passwd.png: Archive entry refused: it is a symbolic link (links are not followed)",
      "set/up: Archive entry refused: it is a symbolic link (links are not followed)",
      'set/up/secret.png: Archive entry refused: it lies under "set/up", which is a symbolic link; nothing reached through a link is imported',
      "set/upper.png (100)",
    ]);
  });

  it("so does an archive read from disk", async () => {
    const p = path.join(dir, "links.zip");
    writeFileSync(p, zip);
    const out = await collect(filesFromPath(p, { maxFileBytes: 1024 * 1024 }));
    expect(out.filter((f) => "bytes" in f).map((f) => f.name)).toEqual(["set/ok.png", "set/upper.png"]);
    expect(out.filter((f) => "error" in f).map((f) => f.name)).toEqual([
      "set/passwd.png",
      "set/up",
      "set/up/secret.png",
    ]);
  });
});

describe("a ZIP bomb's report", () => {
  it("lists every entry it refused, including those after reading stopped", async () => {
    const entries: Record<string, Buffer> = {};
    for (let i = 0; i < 12; i++) entries[`bomb/part-${String(i).padStart(2, "0")}.bin`] = file(40_000, i);
    const zip = zipSync(entries);
    const out = await collect(
      filesFromStream("bomb.zip", chunked(zip), {
        maxFileBytes: 10 * 1024 * 1024,
        archive: { maxTotalBytes: 100_000 },
      }),
    );
    const names = Object.keys(entries);
    const reported = out.map((f) => f.name);
    for (const n of names)
      expect(
        reported.filter((r) => r === n),
        n,
      ).toHaveLength(1); // every entry, once
    const refused = out.filter((f) => "error" in f && f.name.startsWith("bomb/"));
    expect(refused.length).toBeGreaterThanOrEqual(10);
    expect(out.filter((f) => "bytes" in f).length + refused.length).toBe(12);
    expect(lines(out).at(-1)).toMatch(/^bomb\.zip: Archive not read to the end: its entries declare more than/);
    expect(lines(out)).toContain(
      "bomb/part-11.bin: Archive entry refused: not read, because the archive was not read to the end (its entries declare more than 0 MiB in total)",
    );
  });
});
