import { describe, expect, it } from "vitest";
import { Zip, ZipDeflate, ZipPassThrough, zipSync, type Zippable } from "fflate";
import { filesFromStream } from "../../lib/imports/stream-source";
import { zipEntries } from "../../lib/imports/zip-entries";
import type { ImportFile } from "../../lib/imports/types";

const bytes = (n: number, seed = 1) => {
  const b = Buffer.alloc(n);
  let s = seed;
  for (let i = 0; i < n; i++) b[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
  return b;
};

/** Feeds the archive in uneven chunks, as a network or a disk would. */
async function* chunked(data: Uint8Array, size = 7_777): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function collect(zip: Uint8Array, limits = {}): Promise<ImportFile[]> {
  const out: ImportFile[] = [];
  for await (const f of zipEntries(chunked(zip), "upload.zip", limits)) out.push(f);
  return out;
}

const summary = (files: ImportFile[]) =>
  files.map((f) => ("error" in f ? `${f.name}: ${f.error}` : `${f.name} (${f.bytes.length})`));

/** Offset of the local file header of `name`. */
function localHeader(zip: Uint8Array, name: string): number {
  const buf = Buffer.from(zip);
  const needle = Buffer.from(name, "utf8");
  for (let i = 0; i + 30 < buf.length; i++) {
    if (
      buf.readUInt32LE(i) === 0x04034b50 &&
      buf.readUInt16LE(i + 26) === needle.length &&
      buf.subarray(i + 30, i + 30 + needle.length).equals(needle)
    )
      return i;
  }
  throw new Error(`no local header for ${name}`);
}

function streamed(files: Record<string, Buffer>, deflate = true): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const parts: Uint8Array[] = [];
    const zip = new Zip((err, data, final) => {
      if (err) return reject(err);
      parts.push(data);
      if (final) resolve(Buffer.concat(parts));
    });
    for (const [name, data] of Object.entries(files)) {
      const entry = deflate ? new ZipDeflate(name, { level: 6 }) : new ZipPassThrough(name);
      zip.add(entry);
      entry.push(data, true);
    }
    zip.end();
  });
}

describe("ZIP extraction", () => {
  it("yields files of folders in order, skips folders and OS litter", async () => {
    const a = bytes(50_000, 1);
    const b = bytes(10, 2);
    const zip = zipSync({
      "set/": {},
      "set/a.png": a,
      "set/sub/b.dcm": [b, { level: 0 }],
      "__MACOSX/set/._a.png": bytes(5),
      ".DS_Store": bytes(5),
    } as Zippable);
    const files = await collect(zip);
    expect(summary(files)).toEqual(["set/a.png (50000)", "set/sub/b.dcm (10)"]);
    expect((files[0] as { bytes: Buffer }).bytes.equals(a)).toBe(true);
  });

  it("reads archives written in streaming mode (sizes only in data descriptors)", async () => {
    const zip = await streamed({ "x.png": bytes(80_000, 3), "y.png": bytes(1_000, 4) });
    expect(summary(await collect(zip))).toEqual(["x.png (80000)", "y.png (1000)"]);
    const stored = await streamed({ "s.png": bytes(3_000, 5) }, false);
    expect(summary(await collect(stored))).toEqual(["s.png (3000)"]);
  });

  it("refuses traversal, absolute and drive-letter paths but keeps reading", async () => {
    const zip = zipSync({
      "../escape.png": bytes(10),
      "/abs.png": bytes(10),
      "C:/win.png": bytes(10),
      "ok/../../up.png": bytes(10),
      "good.png": bytes(10),
    } as Zippable);
    const lines = summary(await collect(zip));
    expect(lines).toEqual([
      "../escape.png: Archive entry refused: its path climbs out of the archive (..)",
      "abs.png: Archive entry refused: its path is absolute",
      "C:/win.png: Archive entry refused: its path starts with a drive letter",
      "ok/../../up.png: Archive entry refused: its path climbs out of the archive (..)",
      "good.png (10)",
    ]);
  });

  it("refuses an entry declaring more than the per-entry cap, before inflating it", async () => {
    const zip = zipSync({ "big.png": bytes(300_000), "next.png": bytes(100) });
    const lines = summary(await collect(zip, { maxEntryBytes: 200_000 }));
    expect(lines[0]).toMatch(/big\.png: Archive entry refused: it declares 300000 bytes; the limit is 200000/);
    expect(lines[1]).toBe("next.png (100)");
  });

  it("stops a zip bomb by its ratio while streaming, and reads on", async () => {
    const zeros = Buffer.alloc(40 * 1024 * 1024);
    const zip = await streamed({ "bomb.png": zeros, "after.png": bytes(500) });
    const before = process.memoryUsage().arrayBuffers;
    const lines = summary(await collect(zip, { ratioFloorBytes: 1024 * 1024, maxRatio: 100 }));
    expect(lines[0]).toMatch(/bomb\.png: Archive entry refused: its compression ratio exceeds 100:1/);
    expect(lines[1]).toBe("after.png (500)");
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });

  it("refuses a declared ratio above the cap without inflating", async () => {
    const zip = zipSync({ "bomb.png": Buffer.alloc(8 * 1024 * 1024) });
    expect(summary(await collect(zip, { maxRatio: 100 }))[0]).toMatch(/declares a compression ratio of \d+:1/);
  });

  it("catches an entry that inflates beyond its declared size (lying header)", async () => {
    const zip = Buffer.from(zipSync({ "liar.png": bytes(5_000), "fine.png": bytes(7) }));
    zip.writeUInt32LE(1_000, localHeader(zip, "liar.png") + 22);
    const lines = summary(await collect(zip));
    expect(lines[0]).toMatch(/liar\.png: Archive entry refused: it expands beyond its declared size of 1000 bytes/);
    expect(lines[1]).toBe("fine.png (7)");
  });

  it("refuses unknown compression methods and empty entries", async () => {
    const zip = Buffer.from(zipSync({ "lzma.png": bytes(2_000), "empty.png": Buffer.alloc(0), "ok.png": bytes(3) }));
    zip.writeUInt16LE(14, localHeader(zip, "lzma.png") + 8);
    expect(summary(await collect(zip))).toEqual([
      "lzma.png: Archive entry refused: it uses LZMA (only stored and deflate entries are read)",
      "empty.png: Empty file (0 bytes)",
      "ok.png (3)",
    ]);
  });

  it("stops at the entry count and at the total size, reporting it under the archive's name", async () => {
    const many: Record<string, Buffer> = {};
    for (let i = 0; i < 30; i++) many[`f${String(i).padStart(2, "0")}.png`] = bytes(100, i + 1);
    const byCount = summary(await collect(zipSync(many), { maxEntries: 10 }));
    expect(byCount.length).toBe(11);
    expect(byCount.at(-1)).toBe("upload.zip: Archive not read to the end: it holds more than 10 entries");
    const byTotal = summary(await collect(await streamed(many), { maxTotalBytes: 1_050 }));
    expect(byTotal.filter((l) => l.endsWith("(100)")).length).toBe(10);
    expect(byTotal.at(-1)).toMatch(/upload\.zip: Archive not read to the end: it expands beyond/);
  });

  it("reports a truncated archive: the cut entry and the archive", async () => {
    const zip = zipSync({ "a.png": bytes(20_000, 1), "b.png": bytes(20_000, 2) }, { level: 0 });
    const lines = summary(await collect(zip.subarray(0, 30_000)));
    expect(lines[0]).toBe("a.png (20000)");
    expect(lines[1]).toMatch(/b\.png: Archive entry refused: the archive ends in the middle of it/);
    expect(lines[2]).toMatch(/upload\.zip: Archive not read to the end: it is truncated/);
  });

  it("an upload is an archive by content, not by name; other files are capped", async () => {
    const zip = zipSync({ "in.png": bytes(10) });
    const names = async (name: string, data: Uint8Array, max = 1_000) => {
      const out: ImportFile[] = [];
      for await (const f of filesFromStream(name, chunked(data, 3), { maxFileBytes: max })) out.push(f);
      return summary(out);
    };
    expect(await names("looks-like.png", zip)).toEqual(["in.png (10)"]);
    expect(await names("real.zip", bytes(500))).toEqual(["real.zip (500)"]);
    expect(await names("big.png", bytes(1_001))).toEqual(["big.png: File is larger than the limit of 1000 bytes"]);
    expect(await names("empty.png", new Uint8Array(0))).toEqual(["empty.png: Empty file (0 bytes)"]);
  });
});
