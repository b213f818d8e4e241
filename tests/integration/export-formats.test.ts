import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { unzipSync } from "fflate";
import { db } from "../../lib/db/client";
import { LocalStore } from "../../lib/storage/local-store";
import { setStoreForTests, store } from "../../lib/storage/store";
import { requestExport } from "../../lib/exports/mutations";
import { runExport } from "../../lib/exports/run-export";
import { readTar } from "../../lib/exports/tar-reader";
import { ByteSink } from "../../lib/exports/byte-sink";
import { TarWriter } from "../../lib/exports/tar-writer";
import { ZipWriter } from "../../lib/exports/zip-writer";
import { SpoolFile } from "../../lib/exports/spool-file";
import type { ArchiveWriter } from "../../lib/exports/archive-entry";
import { dropTempStore, type seedAcceptedProject, seedInTempStore } from "../setup/seed-accepted";
import { testS3Store } from "../setup/s3";

const PYTHON = "/usr/bin/python3";
let dir: string;
let seed: Awaited<ReturnType<typeof seedAcceptedProject>>;

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function collect(write: (out: PassThrough) => Promise<void>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  const ended = new Promise((r) => out.on("end", r));
  await write(out);
  await ended;
  return Buffer.concat(chunks);
}

async function exportWith(options: Record<string, unknown>) {
  const { exportId } = await requestExport(seed.fx.exporter.actor, seed.projectId, options);
  await runExport(exportId);
  const row = await db().export.findUniqueOrThrow({ where: { id: exportId } });
  return { row, bytes: await store().get(row.storageKey!) };
}

beforeAll(async () => {
  ({ dir, seed } = await seedInTempStore(
    "tandem-export-fmt-",
    { covid: 4, controls: 1, dicom: true, models: true },
    "store",
  ));
}, 120_000);

afterAll(() => dropTempStore(dir));

describe("zip exports", () => {
  it("hold the same files as the tar, share its dataset version, and are reproducible", async () => {
    const tar = await exportWith({ includeModels: true });
    const zip = await exportWith({ includeModels: true, format: "zip" });
    const zip2 = await exportWith({ format: "zip", includeModels: true });
    expect(zip.row.storageKey).toMatch(/dataset\.zip$/);
    expect(zip.row.datasetVersion).toBe(tar.row.datasetVersion);
    expect(zip2.bytes.equals(zip.bytes)).toBe(true);
    const fromTar = new Map(readTar(tar.bytes).map((e) => [e.path, sha(e.data)]));
    const fromZip = new Map(Object.entries(unzipSync(new Uint8Array(zip.bytes))).map(([p, d]) => [p, sha(d)]));
    expect([...fromZip.keys()]).toEqual([...fromTar.keys()]);
    expect(fromZip).toEqual(fromTar);
    const file = path.join(dir, "export.zip");
    writeFileSync(file, zip.bytes);
    const t = spawnSync("unzip", ["-tq", file], { encoding: "utf8" });
    expect(t.status, t.stdout + t.stderr).toBe(0);
  });
});

describe("archive writers", () => {
  async function manyEntries(writer: (out: PassThrough) => { w: ArchiveWriter; sink: ByteSink }, n: number) {
    return collect(async (out) => {
      const { w, sink } = writer(out);
      for (let i = 0; i < n; i++) {
        const body = Buffer.from(`entry ${i}\n`);
        await w.add({ path: `d${i % 7}/f${String(i).padStart(6, "0")}.txt`, size: body.length, body });
      }
      await w.finish();
      sink.end();
    });
  }

  it("zip switches to Zip64 past 65,535 entries and Python's zipfile reads every one", async () => {
    const n = 70_000;
    const bytes = await manyEntries((out) => {
      const sink = new ByteSink(out);
      return { sink, w: new ZipWriter(sink, new SpoolFile(path.join(dir, "cd.bin"))) };
    }, n);
    expect(bytes.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(true); // zip64 end record
    const file = path.join(dir, "many.zip");
    writeFileSync(file, bytes);
    const py = spawnSync(
      PYTHON,
      [
        "-c",
        "import sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nn=z.namelist()\nprint(len(n), z.read(n[-1]).decode().strip())",
        file,
      ],
      { encoding: "utf8" },
    );
    expect(py.stderr).toBe("");
    expect(py.stdout.trim()).toBe(`${n} entry ${n - 1}`);
  }, 120_000);

  it("tar splits long paths into ustar's prefix and GNU tar lists them unchanged", async () => {
    const long = `${"a".repeat(60)}/${"b".repeat(60)}/${"c".repeat(90)}.png`;
    const bytes = await collect(async (out) => {
      const sink = new ByteSink(out);
      const w = new TarWriter(sink);
      await w.add({ path: long, size: 3, body: Buffer.from("abc") });
      await w.add({ path: "empty.txt", size: 0, body: Buffer.alloc(0) });
      await w.add({
        path: "streamed.bin",
        size: 6,
        body: () => Readable.from([Buffer.from("abc"), Buffer.from("def")]),
      });
      await w.finish();
      sink.end();
    });
    const file = path.join(dir, "long.tar");
    writeFileSync(file, bytes);
    const list = spawnSync("tar", ["-tvf", file], { encoding: "utf8" });
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toContain(long);
    expect(list.stdout).toMatch(/-rw-r--r-- 0\/0 +3 1970-01-01 00:00 a+/);
    expect(readTar(bytes).map((e) => [e.path, e.data.toString()])).toEqual([
      [long, "abc"],
      ["empty.txt", ""],
      ["streamed.bin", "abcdef"],
    ]);
  });

  it("refuses entry paths an extractor could misread, and bodies that break their declared size", async () => {
    const sink = new ByteSink(new PassThrough().resume());
    const w = new TarWriter(sink);
    for (const p of [
      "../x",
      "/abs",
      "a/../b",
      "a//b",
      "a\\b",
      ".hidden",
      "a/./b",
      "ü.png",
      " lead",
      "trail ",
      "a  b",
      "Train Set/ x",
    ]) {
      await expect(w.add({ path: p, size: 1, body: Buffer.from("x") }), p).rejects.toThrow(/unsafe archive path/);
    }
    await expect(w.add({ path: "short.bin", size: 5, body: Buffer.from("abc") })).rejects.toThrow(/declared 5/);
  });
});

describe("S3 storage", () => {
  const s3 = () => testS3Store();

  it("uploads a long stream in parts and reads it back intact", async () => {
    const s = s3();
    const part = Buffer.alloc(1 << 20);
    for (let i = 0; i < part.length; i++) part[i] = (i * 31 + 7) & 0xff;
    const chunks = Array.from({ length: 19 }, (_, i) => Buffer.concat([part.subarray(i), part.subarray(0, i)]));
    const k = `multipart-${Date.now()}/big.bin`;
    await s.putStream(k, Readable.from(chunks));
    expect(await s.size(k)).toBe(19 << 20);
    expect(sha(await s.get(k))).toBe(sha(Buffer.concat(chunks)));
  });

  it("holds an export built straight into the bucket, byte-identical to the local one", async () => {
    const local = await exportWith({});
    const s = s3();
    const localStore = new LocalStore(path.join(dir, "store"));
    for await (const k of localStore.list(`projects/${seed.projectId}/`))
      if (!k.includes("/exports/")) await s.put(k, await localStore.get(k));
    setStoreForTests(s);
    try {
      const inS3 = await exportWith({});
      expect(inS3.row.storageKey).toMatch(/dataset\.tar$/);
      expect(inS3.row.sha256).toBe(local.row.sha256);
      expect(inS3.bytes.equals(local.bytes)).toBe(true);
    } finally {
      setStoreForTests(localStore);
    }
  });
});
