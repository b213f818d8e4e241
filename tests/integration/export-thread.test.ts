import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import { db } from "../../lib/db/client";
import { store } from "../../lib/storage/store";
import type { ObjectStore } from "../../lib/storage/types";
import { buildArchive } from "../../lib/exports/build-archive";
import { ByteSink } from "../../lib/exports/byte-sink";
import { storedFileError } from "../../lib/exports/item-sources";
import { exportItemPages, exportProject, selectionCounts } from "../../lib/exports/queries";
import { canonicalOptions, type ExportOptions } from "../../lib/exports/schema";
import { endsAsPng, PNG_END } from "../../lib/exports/png-end";
import { ThreadTarWriter } from "../../lib/exports/tar-thread";
import { TarWriter } from "../../lib/exports/tar-writer";
import { readTar } from "../../lib/exports/tar-reader";
import { dropTempStore, type seedAcceptedProject, seedInTempStore } from "../setup/seed-accepted";

// The archive thread (ThreadTarWriter) must write exactly what the store-agnostic path writes:
// same bytes, same hashes, the same refusals.

/** `size` bytes that pass for a width×height PNG: signature, IHDR's size fields, filler, IEND. */
function pngOf(size: number, width: number, height: number): Buffer {
  const b = Buffer.alloc(size, 7);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).copy(b, 0);
  b.write("IHDR", 12, "latin1");
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  PNG_END.copy(b, size - PNG_END.length);
  return b;
}

let dir: string;
let seed: Awaited<ReturnType<typeof seedAcceptedProject>>;

/** The same store seen without local paths: the builder then reads every file itself (the S3 path). */
function withoutLocalPaths(s: ObjectStore): ObjectStore {
  return {
    kind: s.kind,
    put: (k, b, o) => s.put(k, b, o),
    putStream: (k, b, o) => s.putStream(k, b, o),
    get: (k) => s.get(k),
    getBatched: s.getBatched ? (k) => s.getBatched!(k) : undefined,
    getStream: (k) => s.getStream(k),
    exists: (k) => s.exists(k),
    size: (k) => s.size(k),
    delete: (k) => s.delete(k),
    list: (p) => s.list(p),
    listDetailed: (p) => s.listDetailed(p),
  };
}

type Output = "file" | "stream";

async function build(projectId: string, o: Partial<ExportOptions>, s: ObjectStore, output: Output) {
  const options = canonicalOptions({ acceptedOnly: true, ...o });
  const tmpDir = mkdtempSync(path.join(dir, "spool-"));
  const file = path.join(tmpDir, "archive.tar");
  const chunks: Buffer[] = [];
  const stream = new PassThrough();
  stream.on("data", (c: Buffer) => chunks.push(c));
  const result = await buildArchive({
    project: await exportProject(projectId),
    options,
    counts: await selectionCounts(projectId, options),
    items: exportItemPages(projectId, options),
    models: [],
    store: s,
    out: output === "file" ? file : stream,
    tmpDir,
  });
  const bytes = output === "file" ? readFileSync(file) : Buffer.concat(chunks);
  return { result, bytes };
}

beforeAll(async () => {
  ({ dir, seed } = await seedInTempStore("tandem-export-thread-", { covid: 5, controls: 2, dicom: true }));
}, 120_000);

afterAll(() => dropTempStore(dir));

describe("export archive thread", () => {
  it("writes the same archive as the store-agnostic path, to a file or a stream, in both layouts", async () => {
    expect(store().localPath).toBeTypeOf("function");
    for (const layout of ["tandem", "qata-cov19"] as const) {
      const reference = await build(seed.projectId, { layout }, withoutLocalPaths(store()), "stream");
      const sha = createHash("sha256").update(reference.bytes).digest("hex");
      expect(reference.result.sha256).toBe(sha);
      // Images, masks, DICOM files and tables are all there.
      const names = readTar(reference.bytes).map((e) => e.path);
      expect(names.filter((n) => n.endsWith(".png")).length).toBeGreaterThanOrEqual(12);
      expect(names.some((n) => n.includes("DICOM-SEG/"))).toBe(true);
      for (const output of ["file", "stream"] as const) {
        const threaded = await build(seed.projectId, { layout }, store(), output);
        expect(threaded.result).toEqual(reference.result);
        expect(threaded.bytes.equals(reference.bytes)).toBe(true);
      }
    }
  });

  it("writes the same tar headers and bodies as TarWriter: long paths split into prefix and name, empty, block-sized and streamed bodies", async () => {
    const long = `${"a".repeat(60)}/${"b".repeat(60)}/${"c".repeat(60)}/file.txt`;
    const storedPath = path.join(dir, "stored.bin");
    const stored = Buffer.alloc(3 * 512 + 7, 9);
    writeFileSync(storedPath, stored);
    const entries = [
      { path: "root/empty.txt", size: 0, body: Buffer.alloc(0) },
      { path: long, size: 512, body: Buffer.alloc(512, 1) },
      { path: "root/spaced name/Train Set.txt", size: 5, body: Buffer.from("hello") },
    ];
    const streamed = [Buffer.from("abc"), Buffer.alloc(700, 2), Buffer.from("z")];
    const storedSha = createHash("sha256").update(stored).digest("hex");

    const chunks: Buffer[] = [];
    const plainOut = new PassThrough();
    plainOut.on("data", (c: Buffer) => chunks.push(c));
    const sink = new ByteSink(plainOut);
    const plain = new TarWriter(sink);
    const tmp = mkdtempSync(path.join(dir, "headers-"));
    const threadFile = path.join(tmp, "t.tar");
    const thread = new ThreadTarWriter(threadFile, storedFileError);
    try {
      for (const w of [plain, thread]) {
        for (const e of entries) expect(await w.add(e)).toBe(createHash("sha256").update(e.body).digest("hex"));
        await w.add({
          path: "root/streamed.bin",
          size: 704,
          body: async function* () {
            yield* streamed;
          },
        });
        // A spooled table's form: bytes and local files read by path, hashed where they are packed.
        const parts = [Buffer.from("head"), { path: storedPath }, Buffer.from("tail")];
        const partsBytes = Buffer.concat([Buffer.from("head"), stored, Buffer.from("tail")]);
        expect(await w.add({ path: "root/parts.json", size: partsBytes.length, body: { parts } })).toBe(
          createHash("sha256").update(partsBytes).digest("hex"),
        );
      }
      await plain.add({ path: "root/stored.bin", size: stored.length, body: stored });
      expect(
        await thread.addStored("root/stored.bin", { path: storedPath, sha256: storedSha, verify: true, id: "s" }),
      ).toBe(storedSha);
      // Stored files that fit what is left of a stage, fill one, or run over one or two (read
      // once, then measured and read on), each checked against its SHA-256 across the reads.
      // Half of them end as a PNG does: a short first read of one is its end, of the others a
      // cue to measure the file (a network file system may read short mid-file).
      for (const [k, size] of [0, 70_000, 200_000, 262_144 - 512, 300_000, 600_000, 100].entries()) {
        const bytes = Buffer.alloc(size);
        for (let i = 0; i < size; i++) bytes[i] = (i * 31 + k * 7) & 0xff;
        if (k % 2 === 0 && size >= PNG_END.length) PNG_END.copy(bytes, size - PNG_END.length);
        const file = path.join(tmp, `stored-${k}.bin`);
        writeFileSync(file, bytes);
        const sha = createHash("sha256").update(bytes).digest("hex");
        await plain.add({ path: `root/stored-${k}.bin`, size, body: bytes });
        expect(
          await thread.addStored(`root/stored-${k}.bin`, { path: file, sha256: sha, verify: true, id: `s${k}` }),
        ).toBe(sha);
      }
      // Images, checked as whole PNGs of their recorded size: one that fits a first read, one longer.
      for (const size of [5_000, 300_000]) {
        const bytes = pngOf(size, 64, 48);
        const file = path.join(tmp, `image-${size}.png`);
        writeFileSync(file, bytes);
        const sha = createHash("sha256").update(bytes).digest("hex");
        await plain.add({ path: `root/image-${size}.png`, size, body: bytes });
        const stored = { path: file, sha256: sha, verify: false, png: { width: 64, height: 48 }, id: `i${size}` };
        expect(await thread.addStored(`root/image-${size}.png`, stored)).toBe(sha);
      }
      await plain.finish();
      await thread.finish();
      const plainSha = sink.end();
      const threaded = await thread.end();
      const threadBytes = readFileSync(threadFile);
      const plainBytes = Buffer.concat(chunks);
      expect(threadBytes.length).toBe(plainBytes.length);
      expect(threadBytes.equals(plainBytes)).toBe(true);
      expect(threaded).toEqual({ sha256: plainSha, bytes: plainBytes.length });
      expect(thread.fileCount).toBe(plain.fileCount);
      expect(readTar(threadBytes).map((e) => e.path)).toContain(long);
    } finally {
      await thread.close();
    }
    // A file part longer than the size declared in the header fails the archive.
    const short = new ThreadTarWriter(path.join(tmp, "short.tar"), storedFileError);
    try {
      await expect(
        short.add({ path: "root/parts.json", size: 10, body: { parts: [{ path: storedPath }] } }),
      ).rejects.toThrow(/overrun/);
    } finally {
      await short.close();
    }
  });

  it("fails for good when a mask no longer matches its recorded SHA-256, or an image is missing", async () => {
    const gt = await db().groundTruth.findFirstOrThrow({
      where: { imageId: seed.images[0].id, isCurrent: true, maskId: { not: null } },
    });
    const mask = await db().mask.findUniqueOrThrow({ where: { id: gt.maskId! } });
    const original = await store().get(mask.storageKey);
    await store().put(mask.storageKey, Buffer.from("not the accepted mask"));
    try {
      for (const output of ["file", "stream"] as const) {
        await expect(build(seed.projectId, {}, store(), output)).rejects.toMatchObject({
          code: "CONFLICT",
          message: `the stored mask ${mask.id} does not match its recorded SHA-256`,
        });
      }
      // The reading path says the same.
      await expect(build(seed.projectId, {}, withoutLocalPaths(store()), "stream")).rejects.toMatchObject({
        code: "CONFLICT",
        message: `the stored mask ${mask.id} does not match its recorded SHA-256`,
      });
    } finally {
      await store().put(mask.storageKey, original);
    }

    const image = await db().image.findUniqueOrThrow({ where: { id: seed.images[1].id } });
    const png = await store().get(image.storageKey);
    await store().delete(image.storageKey);
    try {
      await expect(build(seed.projectId, {}, store(), "file")).rejects.toMatchObject({ code: "NOT_FOUND" });
    } finally {
      await store().put(image.storageKey, png);
    }
    // Put back, the archive builds again.
    await expect(build(seed.projectId, {}, store(), "file")).resolves.toMatchObject({
      result: { fileCount: expect.any(Number) },
    });
  });

  it("refuses a stored image cut short, whether it fits a first read or not, with the reading path's words", async () => {
    const image = await db().image.findUniqueOrThrow({ where: { id: seed.images[2].id } });
    const png = await store().get(image.storageKey);
    expect(endsAsPng(png)).toBe(true);
    const message = `the stored image ${image.id} is cut short: its PNG does not end with an IEND chunk`;
    await store().put(image.storageKey, png.subarray(0, png.length - 40));
    try {
      for (const [s, output] of [
        [store(), "file"],
        [store(), "stream"],
        [withoutLocalPaths(store()), "stream"],
      ] as const)
        await expect(build(seed.projectId, {}, s, output)).rejects.toMatchObject({ code: "CONFLICT", message });
    } finally {
      await store().put(image.storageKey, png);
    }
    // A long image (measured, its end read apart) cut short: the same refusal.
    const tmp = mkdtempSync(path.join(dir, "cut-"));
    for (const size of [5_000, 300_000]) {
      const file = path.join(tmp, `cut-${size}.png`);
      writeFileSync(file, pngOf(size, 64, 48).subarray(0, size - 3));
      const w = new ThreadTarWriter(path.join(tmp, `cut-${size}.tar`), storedFileError);
      try {
        const stored = { path: file, sha256: "", verify: false, png: { width: 64, height: 48 }, id: `cut${size}` };
        await w.addStored("root/cut.png", stored);
        await w.finish();
        await expect(w.end()).rejects.toThrow(`the stored image cut${size} is cut short`);
      } finally {
        await w.close();
      }
    }
  });
});
