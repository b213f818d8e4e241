import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { crc32, deflateSync } from "node:zlib";
import sharp from "sharp";
import { zipSync } from "fflate";
import { db } from "../../lib/db/client";
import { LocalStore } from "../../lib/storage/local-store";
import { setStoreForTests, store } from "../../lib/storage/store";
import type { ObjectStore } from "../../lib/storage/types";
import { patientPseudonym } from "../../lib/images/pseudonym";
import { filesFromPath } from "../../lib/imports/folder-source";
import { filesFromStream } from "../../lib/imports/stream-source";
import { createImportBatch, finishImportBatch, importFiles, importIntoBatch } from "../../lib/imports/mutations";
import { getImportBatch } from "../../lib/imports/queries";
import type { ImportEntry } from "../../lib/imports/types";
import { makeProject } from "../setup/fixtures";
import { buildDicom, imageModule, nativePixels, phiDataset } from "../unit/images/helpers/dicom-builder";

// ---------------------------------------------------------------- fixtures

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Blocky random levels plus noise: every seed gets an unrelated perceptual hash. */
function cells(width: number, height: number, seed: number, max = 255): number[] {
  const r = rng(seed);
  const levels = Array.from({ length: 12 * 12 }, () => Math.floor(r() * max * 0.9));
  const out: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const cell = levels[Math.floor((y * 12) / height) * 12 + Math.floor((x * 12) / width)];
      out.push(Math.min(max, cell + Math.floor(r() * max * 0.05)));
    }
  }
  return out;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A hand-made PNG (filter 0 rows), so tests control bit depth and extra chunks. */
function png(
  width: number,
  height: number,
  samples: number[],
  opts: { depth?: 8 | 16; rgb?: boolean; extra?: Buffer[] } = {},
): Buffer {
  const depth = opts.depth ?? 8;
  const channels = opts.rgb ? 3 : 1;
  const bytesPer = (depth / 8) * channels;
  const raw = Buffer.alloc((width * bytesPer + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        const v = opts.rgb ? Math.min(255, samples[y * width + x] + c * 7) : samples[y * width + x];
        const at = y * (width * bytesPer + 1) + 1 + (x * channels + c) * (depth / 8);
        if (depth === 16) raw.writeUInt16BE(v, at);
        else raw[at] = v;
      }
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = depth;
  ihdr[9] = opts.rgb ? 2 : 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    ...(opts.extra ?? []),
    pngChunk("IDAT", deflateSync(raw)),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

const W = 96;
const H = 80;
const gray8 = (seed: number) => png(W, H, cells(W, H, seed));
const jpeg = (seed: number, rgb = false) =>
  sharp(png(W, H, cells(W, H, seed), { rgb }))
    .jpeg({ quality: 90 })
    .toBuffer();

/** A DICOM with a marker in every Basic Profile attribute, a PHI preamble and a PHI meta element. */
function phiDicom(label: string, seed: number) {
  const phi = phiDataset(label);
  const sopInstanceUid = String(phi.dataset["00080018"].Value?.[0]);
  phi.markers.push(`PHI-preamble-${label}`, `PHI00020016${label}`);
  const bytes = buildDicom(
    {
      ...phi.dataset,
      ...imageModule({ rows: H, columns: W, bitsAllocated: 16, bitsStored: 12 }),
      "00080060": { vr: "CS", Value: ["DX"] },
      "00185101": { vr: "CS", Value: ["PA"] },
      "00180015": { vr: "CS", Value: ["CHEST"] },
    },
    {
      sopInstanceUid,
      meta: { "00020016": { vr: "AE", Value: [`PHI00020016${label}`] } },
      preamble: Buffer.from(`PHI-preamble-${label}<html><script>alert(1)</script></html>`.padEnd(128, " ")),
      pixelData: nativePixels(cells(W, H, seed, 4095), 16),
    },
  );
  return { bytes, phi };
}

const RAW_IDS = ["RAW-MRN-700001", "RAW-MRN-700002", "RAW-MRN-700003", "RAW-MRN-700004", "RAW-MRN-700009"];
const CSV_PHI = ["PHI-CSV-Name-1", "PHI-CSV-Name-2", "1950-05-05", "1961-06-06"];
const METADATA_CSV = [
  "filename,patient_id,diagnosis,dataset,view,Patient Name,Birth Date,scanner",
  `gray8.png,${RAW_IDS[0]},COVID-19,synthetic-set,PA,${CSV_PHI[0]},${CSV_PHI[2]},unit-7`,
  `1-png/rgb.png,${RAW_IDS[1]},normal,synthetic-set,AP,${CSV_PHI[1]},${CSV_PHI[3]},unit-8`,
  `gray.jpg,${RAW_IDS[2]},Viral Pneumonia,,,,,`,
  `"study-a.dcm",${RAW_IDS[3]},"positive",,,,,`,
  `missing.png,${RAW_IDS[4]},covid,,,,,`,
].join("\r\n");

// ---------------------------------------------------------------- harness

const KEY = process.env.PSEUDONYM_KEY!;
let root: string;
let storageDir: string;
let folder: string;
let dicoms: ReturnType<typeof phiDicom>[];
const logs: string[] = [];
const restores: (() => void)[] = [];

/** Every byte written to stdout/stderr or through console while imports run. */
function captureLogs() {
  for (const s of [process.stdout, process.stderr]) {
    const spy = vi.spyOn(s, "write").mockImplementation(((chunk: string | Uint8Array) => {
      logs.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("latin1"));
      return true;
    }) as typeof s.write);
    restores.push(() => spy.mockRestore());
  }
  for (const m of ["log", "info", "warn", "error", "debug", "trace"] as const) {
    const spy = vi
      .spyOn(console, m)
      .mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(" ")));
    restores.push(() => spy.mockRestore());
  }
}

async function buildFolder() {
  folder = path.join(root, "mixed");
  const put = (rel: string, data: Uint8Array | string) => {
    mkdirSync(path.dirname(path.join(folder, rel)), { recursive: true });
    writeFileSync(path.join(folder, rel), data);
  };
  dicoms = [phiDicom("A", 31), phiDicom("B", 32)];
  const g8 = gray8(1);
  const whiteCells = cells(W, H, 40).map((v, i) => (i % 5 === 0 ? v : 255));
  put("1-png/gray8.png", g8);
  put("1-png/gray16.png", png(W, H, cells(W, H, 2, 65535), { depth: 16 }));
  put("1-png/rgb.png", png(W, H, cells(W, H, 3), { rgb: true }));
  put("2-jpeg/gray.jpg", await jpeg(4));
  put("2-jpeg/rgb.jpeg", await jpeg(5, true));
  put("3-dicom/study-a.dcm", dicoms[0].bytes);
  put("3-dicom/nested/study-b", dicoms[1].bytes);
  put("4-flags/white.png", png(W, H, whiteCells));
  put("4-flags/jpeg-named.png", await jpeg(6));
  put("5-copies/gray8-copy.png", g8);
  put(
    "5-copies/gray8-retagged.png",
    png(W, H, cells(W, H, 1), { extra: [pngChunk("tEXt", Buffer.from("Comment\u0000re-saved"))] }),
  );
  put("6-bad/truncated.png", gray8(7).subarray(0, 400));
  put("6-bad/notes.txt", "these are not images\n");
  put("6-bad/empty.png", "");
  put("6-bad/bomb.png", png(1, 1, [0]).fill(0, 0, 0)); // placeholder, replaced below
  put("6-bad/page.html", "<html><body><script>alert(1)</script></body></html>");
  put(
    "6-bad/archive.zip",
    zipSync({
      "../escape.png": gray8(8),
      "/abs.png": gray8(9),
      "inner/ok.png": gray8(10),
      "inner/bomb.bin": new Uint8Array(8 * 1024 * 1024),
      "inner/nested.zip": zipSync({ "deep.png": gray8(11) }),
      "1-png/rgb.png": png(W, H, cells(W, H, 12), { rgb: true }),
    }),
  );
  put(".DS_Store", "junk");
  // A decompression bomb: a valid IHDR that declares 100,000 × 100,000 pixels.
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(100_000, 0);
  ihdr.writeUInt32BE(100_000, 4);
  ihdr[8] = 8;
  put(
    "6-bad/bomb.png",
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      pngChunk("IHDR", ihdr),
      pngChunk("IDAT", deflateSync(Buffer.alloc(4096))),
      pngChunk("IEND", Buffer.alloc(0)),
    ]),
  );
  symlinkSync("/etc/passwd", path.join(folder, "6-bad/link.png"));
}

async function objectsUnder(projectId: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const k of store().list(`projects/${projectId}/`)) keys.push(k);
  return keys.sort();
}

/** Every column of every row that belongs to the project, as text (JSON included). */
async function databaseDump(projectId: string): Promise<string> {
  const rows = await db().$queryRawUnsafe<{ t: string; row: string }[]>(
    `SELECT 'Project' t, row_to_json(p)::text "row" FROM "Project" p WHERE id = $1::uuid
     UNION ALL SELECT 'Image', row_to_json(i)::text FROM "Image" i WHERE "projectId" = $1::uuid
     UNION ALL SELECT 'ImportBatch', row_to_json(b)::text FROM "ImportBatch" b WHERE "projectId" = $1::uuid
     UNION ALL SELECT 'AuditLog', row_to_json(a)::text FROM "AuditLog" a WHERE "projectId" = $1::uuid
     UNION ALL SELECT 'Job', row_to_json(j)::text FROM "Job" j WHERE "projectId" = $1::uuid`,
    projectId,
  );
  return rows.map((r) => `${r.t} ${r.row}`).join("\n");
}

/** All PHI strings of the fixtures. Short all-digit ones are left out of text scans, where ids and hashes could hold them by chance. */
function phiStrings(forText: boolean): string[] {
  const all = [...dicoms.flatMap((d) => [...d.phi.markers, ...d.phi.uids]), ...RAW_IDS, ...CSV_PHI, "PHI"];
  return [...new Set(all)].filter((m) => !forText || m.length >= 8 || /[^0-9a-f]/i.test(m));
}

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), "tandem-import-"));
  storageDir = path.join(root, "storage");
  setStoreForTests(new LocalStore(storageDir));
  await buildFolder();
});

afterAll(() => {
  setStoreForTests(undefined);
  rmSync(root, { recursive: true, force: true });
});

// ---------------------------------------------------------------- tests

describe("importing a mixed folder", () => {
  let fx: Awaited<ReturnType<typeof makeProject>>;
  let first: Awaited<ReturnType<typeof importFiles>>;
  const byName = (entries: ImportEntry[], name: string) => entries.filter((e) => e.name === name);
  const one = (entries: ImportEntry[], name: string) => {
    const found = byName(entries, name);
    expect(found, name).toHaveLength(1);
    return found[0];
  };

  beforeAll(async () => {
    fx = await makeProject();
    const prevLevel = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = "debug";
    captureLogs();
    try {
      first = await importFiles(
        fx.lead.actor,
        fx.project.id,
        filesFromPath(folder, { maxFileBytes: 50 * 1024 * 1024 }),
        { metadataCsv: METADATA_CSV },
      );
    } finally {
      restores.splice(0).forEach((r) => r());
      process.env.LOG_LEVEL = prevLevel;
    }
  }, 120_000);

  it("stores every good file, skips exact duplicates and refuses the rest, each with a reason", () => {
    const files = first.report.files;
    expect(first.status).toBe("SUCCEEDED");
    expect({
      total: first.total,
      imported: first.imported,
      duplicates: first.duplicates,
      failed: first.failed,
    }).toEqual({ total: 23, imported: 11, duplicates: 1, failed: 11 });
    for (const name of [
      "1-png/gray8.png",
      "1-png/gray16.png",
      "2-jpeg/gray.jpg",
      "2-jpeg/rgb.jpeg",
      "3-dicom/study-a.dcm",
      "3-dicom/nested/study-b",
      "4-flags/white.png",
      "4-flags/jpeg-named.png",
      "5-copies/gray8-retagged.png",
      "inner/ok.png",
    ]) {
      expect(one(files, name).status, name).toBe("imported");
    }
    expect(one(files, "3-dicom/nested/study-b").format).toBe("DICOM");
    expect(one(files, "5-copies/gray8-copy.png")).toMatchObject({
      status: "duplicate",
      imageId: one(files, "1-png/gray8.png").imageId,
    });
    const reasons: Record<string, RegExp> = {
      "6-bad/truncated.png": /Corrupt or truncated PNG/,
      "6-bad/notes.txt": /Not a supported image: unrecognised content/,
      "6-bad/empty.png": /Empty file \(0 bytes\)/,
      "6-bad/bomb.png": /100000×100000 = 10000000000 pixels; the limit is/,
      "6-bad/page.html": /HTML, XML or SVG/,
      "6-bad/link.png": /Symbolic links are not followed/,
      "../escape.png": /climbs out of the archive/,
      "abs.png": /path is absolute/,
      "inner/bomb.bin": /compression ratio/,
      "inner/nested.zip": /the content is a ZIP archive/,
    };
    for (const [name, reason] of Object.entries(reasons))
      expect(one(files, name), name).toMatchObject({ status: "failed", reason: expect.stringMatching(reason) });
    const rgb = byName(files, "1-png/rgb.png");
    expect(rgb.map((e) => e.status).sort()).toEqual(["failed", "imported"]);
    expect(rgb.find((e) => e.status === "failed")!.reason).toMatch(/Duplicate name/);
    expect(files.some((e) => e.name.includes("DS_Store"))).toBe(false);
  });

  it("flags exposure and extension problems and reports near-duplicates for review", () => {
    const files = first.report.files;
    expect(one(files, "4-flags/white.png").flags).toContain("over-exposed");
    expect(one(files, "4-flags/jpeg-named.png").flags).toContain("extension-mismatch");
    expect(one(files, "5-copies/gray8-retagged.png").nearDuplicateOf).toEqual({
      imageId: one(files, "1-png/gray8.png").imageId,
      name: "1-png/gray8.png",
      distance: 0,
    });
    expect(files.filter((f) => f.nearDuplicateOf)).toHaveLength(1);
  });

  it("stores three objects per image under Tandem's own keys, and one image row per distinct file", async () => {
    const images = await db().image.findMany({ where: { projectId: fx.project.id } });
    expect(images).toHaveLength(11);
    const keys = await objectsUnder(fx.project.id);
    const expected = images.flatMap((i) => [i.storageKey, i.originalKey, i.thumbKey]);
    expect(keys.filter((k) => !k.includes("/imports/")).sort()).toEqual(expected.sort());
    for (const k of expected)
      expect(k).toMatch(
        /^projects\/[0-9a-f-]{36}\/images\/[0-9a-f-]{36}\/(working\.png|thumb\.jpg|original\.(png|jpg|dcm))$/,
      );
    expect(images.every((i) => i.importBatchId === first.id)).toBe(true);
    const dcm = images.find((i) => i.originalName === "3-dicom/study-a.dcm")!;
    const original = await store().get(dcm.originalKey);
    expect(original.toString("latin1", 128, 132)).toBe("DICM");
    expect(original.subarray(0, 128).every((b) => b === 0)).toBe(true);
  });

  it("applies the metadata CSV: pseudonyms instead of raw ids, mapped labels, tags, dropped PHI columns reported", async () => {
    const images = await db().image.findMany({ where: { projectId: fx.project.id } });
    const img = (name: string) => images.find((i) => i.originalName === name)!;
    expect(img("1-png/gray8.png")).toMatchObject({
      patientPseudonym: patientPseudonym(KEY, RAW_IDS[0]),
      label: "COVID",
      sourceDataset: "synthetic-set",
      view: "PA",
      tags: { scanner: "unit-7" },
    });
    expect(img("1-png/rgb.png")).toMatchObject({
      patientPseudonym: patientPseudonym(KEY, RAW_IDS[1]),
      label: "CONTROL",
      view: "AP",
    });
    expect(img("2-jpeg/gray.jpg").label).toBe("CONTROL");
    expect(img("3-dicom/study-a.dcm")).toMatchObject({
      label: "COVID",
      patientPseudonym: patientPseudonym(KEY, RAW_IDS[3]),
    });
    expect(img("3-dicom/nested/study-b")).toMatchObject({
      label: "UNKNOWN",
      patientPseudonym: patientPseudonym(KEY, "PHI-PatientID-B"),
      view: "PA",
    });
    expect(img("2-jpeg/rgb.jpeg").label).toBe("UNKNOWN");
    const meta = first.report.metadata!;
    expect(meta.droppedColumns).toEqual(["Patient Name", "Birth Date"]);
    expect(meta.tagColumns).toEqual(["scanner"]);
    expect(meta.unmatchedRows).toBe(1);
    expect(meta.labelMapping).toMatchObject({
      "COVID-19": "COVID",
      normal: "CONTROL",
      "Viral Pneumonia": "CONTROL",
      positive: "COVID",
    });
    expect(one(first.report.files, "1-png/gray8.png")).toMatchObject({ metadata: true, label: "COVID" });
    expect(one(first.report.files, "2-jpeg/rgb.jpeg").metadata).toBe(false);
  });

  it("leaves no PHI anywhere: database rows, stored objects, logs (byte-level search)", async () => {
    for (const d of dicoms)
      expect(d.phi.markers.filter((m) => !d.bytes.includes(Buffer.from(m, "latin1")))).toEqual([]); // the oracle has PHI to find
    const leaks: string[] = [];
    const dump = await databaseDump(fx.project.id);
    expect(dump).toContain("1-png/gray8.png"); // the dump really holds the rows
    for (const m of phiStrings(true)) if (dump.includes(m)) leaks.push(`database: ${m}`);
    const keys = await objectsUnder(fx.project.id);
    expect(keys.length).toBe(34);
    for (const k of keys) {
      const bytes = await store().get(k);
      for (const m of phiStrings(false)) if (bytes.includes(Buffer.from(m, "latin1"))) leaks.push(`${k}: ${m}`);
    }
    const logText = logs.join("\n");
    expect(logText).toContain("import.finished"); // the capture really saw the import's logs
    for (const m of phiStrings(true)) if (logText.includes(m)) leaks.push(`logs: ${m}`);
    expect(leaks).toEqual([]);
  });

  it("audits the import without file names", async () => {
    const audit = await db().auditLog.findMany({
      where: { projectId: fx.project.id, objectId: first.id },
      orderBy: { id: "asc" },
    });
    expect(audit.map((a) => a.action)).toEqual(["import.create", "import.finish"]);
    expect(audit[1].after).toMatchObject({ imported: 11, duplicates: 1, failed: 11, nearDuplicates: 1 });
    expect(JSON.stringify(audit, (_k, v) => (typeof v === "bigint" ? String(v) : v))).not.toMatch(
      /\.png|\.dcm|\.jpe?g/,
    );
  });

  it("is resumable: running it again stores nothing new and decodes nothing already in", async () => {
    const before = await objectsUnder(fx.project.id);
    const again = await importFiles(
      fx.lead.actor,
      fx.project.id,
      filesFromPath(folder, { maxFileBytes: 50 * 1024 * 1024 }),
      { metadataCsv: METADATA_CSV },
    );
    expect({ imported: again.imported, duplicates: again.duplicates, failed: again.failed }).toEqual({
      imported: 0,
      duplicates: 12,
      failed: 11,
    });
    // Found by hash before decoding: no line of a duplicate carries decoder output.
    const dups = again.report.files.filter((f) => f.status === "duplicate");
    expect(dups.filter((f) => f.format || f.flags)).toEqual([]);
    expect(dups.map((f) => f.reason)).toContain("Already in the project (same bytes)");
    const after = await objectsUnder(fx.project.id);
    expect(after.filter((k) => !k.includes("/imports/"))).toEqual(before.filter((k) => !k.includes("/imports/")));
    expect(await db().image.count({ where: { projectId: fx.project.id } })).toBe(11);
  });
});

describe("uploads into an open import (the web path)", () => {
  const upload = (name: string, bytes: Buffer) =>
    filesFromStream(
      name,
      (async function* () {
        yield bytes;
      })(),
      { maxFileBytes: 10 * 1024 * 1024 },
    );

  it("imports file by file, counts a retried upload once, refuses a reused name, finishes once", async () => {
    const fx = await makeProject();
    const p = fx.project.id;
    const batch = await createImportBatch(fx.lead.actor, p);
    const a = gray8(101);
    const r1 = await importIntoBatch(fx.lead.actor, p, batch.id, upload("scan-1.png", a));
    expect(r1.entries).toMatchObject([{ name: "scan-1.png", status: "imported", format: "PNG" }]);
    const retry = await importIntoBatch(fx.lead.actor, p, batch.id, upload("scan-1.png", a));
    expect(retry.entries[0]).toEqual(r1.entries[0]);
    const clash = await importIntoBatch(fx.lead.actor, p, batch.id, upload("scan-1.png", gray8(102)));
    expect(clash.entries[0]).toMatchObject({ status: "failed", reason: expect.stringMatching(/Duplicate name/) });
    const zip = Buffer.from(zipSync({ "z/one.png": gray8(103), "z/two.png": a, "../bad.png": gray8(105) }));
    const fromZip = await importIntoBatch(fx.lead.actor, p, batch.id, upload("bundle.zip", zip));
    expect(fromZip.entries.map((e) => `${e.name}:${e.status}`)).toEqual([
      "z/one.png:imported",
      "z/two.png:duplicate",
      "../bad.png:failed",
    ]);
    const zipAgain = await importIntoBatch(fx.lead.actor, p, batch.id, upload("bundle.zip", zip));
    expect(zipAgain.entries).toEqual(fromZip.entries);
    const running = await getImportBatch(fx.lead.actor, p, batch.id);
    expect(running).toMatchObject({ status: "RUNNING", total: 5, imported: 2, duplicates: 1, failed: 2 });
    expect(running.report.files).toHaveLength(5);
    const done = await finishImportBatch(fx.lead.actor, p, batch.id);
    expect(done).toMatchObject({ status: "SUCCEEDED", total: 5, imported: 2, duplicates: 1, failed: 2 });
    expect((await finishImportBatch(fx.lead.actor, p, batch.id)).finishedAt).toEqual(done.finishedAt);
    await expect(importIntoBatch(fx.lead.actor, p, batch.id, upload("late.png", gray8(104)))).rejects.toMatchObject({
      code: "CONFLICT",
    });
  });

  it("is for leads of the project only", async () => {
    const fx = await makeProject();
    const other = await makeProject();
    const p = fx.project.id;
    await expect(createImportBatch(fx.md.actor, p)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(createImportBatch(fx.exporter.actor, p)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(createImportBatch(other.lead.actor, p)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const batch = await createImportBatch(fx.lead.actor, p);
    await expect(importIntoBatch(fx.md.actor, p, batch.id, upload("x.png", gray8(5)))).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(getImportBatch(other.lead.actor, p, batch.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    // Someone else's batch id under one's own project reveals nothing either.
    await expect(getImportBatch(other.lead.actor, other.project.id, batch.id)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await db().image.count({ where: { projectId: p } })).toBe(0);
  });

  it("leaves nothing partial when storage fails mid-image", async () => {
    const fx = await makeProject();
    const p = fx.project.id;
    const real = store();
    const failing: ObjectStore = Object.assign(Object.create(Object.getPrototypeOf(real)), real, {
      put: async (key: string, body: Buffer, opts?: { contentType?: string }) => {
        if (key.endsWith("thumb.jpg")) throw new Error("disk full");
        return real.put(key, body, opts);
      },
    });
    setStoreForTests(failing);
    try {
      const result = await importFiles(fx.lead.actor, p, upload("doomed.png", gray8(201)));
      expect(result.report.files[0]).toMatchObject({
        status: "failed",
        reason: expect.stringMatching(/could not be stored.*nothing was kept/),
      });
    } finally {
      setStoreForTests(real);
    }
    expect(await objectsUnder(p)).toEqual([]);
    expect(await db().image.count({ where: { projectId: p } })).toBe(0);
    const retried = await importFiles(fx.lead.actor, p, upload("doomed.png", gray8(201)));
    expect(retried.report.files[0].status).toBe("imported");
  });
});
