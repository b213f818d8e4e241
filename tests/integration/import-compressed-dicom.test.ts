import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatSummary } from "../../cli/commands/import";
import { db } from "../../lib/db/client";
import { decodeImage } from "../../lib/images/decode-image";
import { scanDicomStructure } from "../../lib/images/dicom/scan-structure";
import { filesFromPath } from "../../lib/imports/folder-source";
import { importFiles } from "../../lib/imports/mutations";
import type { ImportEntry } from "../../lib/imports/types";
import { decodePngGrey } from "../../lib/simulate/png";
import { LocalStore } from "../../lib/storage/local-store";
import { setStoreForTests, store } from "../../lib/storage/store";
import { cxrSource, encodeWith } from "../setup/compressed-dicom";
import { makeProject } from "../setup/fixtures";
import { buildDicom, EXPLICIT, imageModule, nativePixels } from "../unit/images/helpers/dicom-builder";

const KEY = process.env.PSEUDONYM_KEY!;
const W = 320;
const H = 288;

interface Case {
  name: string;
  twin: Buffer;
  file: Buffer;
}

let root: string;
let cases: Case[];
let multiFrameTwin: Buffer;

function compressed(name: string, seed: number, bits: 12 | 16, tool: string, args: string[]): Case {
  const twin = cxrSource(W, H, bits, seed).dicom;
  return { name, twin, file: encodeWith(tool, args, twin) };
}

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "tandem-import-codecs-"));
  setStoreForTests(new LocalStore(path.join(root, "storage")));
  cases = [
    compressed("pacs/cxr-j2k-lossless.dcm", 41, 16, "gdcmconv", ["--j2k"]),
    compressed("pacs/cxr-jpeg-lossless-p14.dcm", 42, 16, "dcmcjpeg", ["--encode-lossless"]),
    compressed("pacs/cxr-jpeg-lossless-sv1.dcm", 43, 12, "dcmcjpeg", ["--encode-lossless-sv1"]),
    compressed("pacs/cxr-jpeg-ls.dcm", 44, 12, "dcmcjpls", ["--encode-lossless"]),
  ];
  const frames = [cxrSource(96, 80, 12, 45).samples, cxrSource(96, 80, 12, 46).samples];
  const dx = { "00080060": { vr: "CS", Value: ["DX"] } };
  const multi = buildDicom(
    { ...imageModule({ rows: 80, columns: 96, bitsAllocated: 16, bitsStored: 12, frames: 2 }), ...dx },
    {
      pixelData: nativePixels([...frames[0], ...frames[1]], 16),
    },
  );
  multiFrameTwin = buildDicom(
    { ...imageModule({ rows: 80, columns: 96, bitsAllocated: 16, bitsStored: 12 }), ...dx },
    { pixelData: nativePixels(frames[0], 16) },
  );
  const folder = path.join(root, "in");
  mkdirSync(path.join(folder, "pacs"), { recursive: true });
  for (const c of cases) writeFileSync(path.join(folder, c.name), c.file);
  writeFileSync(path.join(folder, "pacs/cine-j2k.dcm"), encodeWith("gdcmconv", ["--j2k"], multi));
  writeFileSync(
    path.join(folder, "pacs/cxr-jpeg-12bit.dcm"),
    encodeWith("dcmcjpeg", ["--encode-extended"], cxrSource(W, H, 12, 47).dicom),
  );
});

afterAll(() => {
  setStoreForTests(undefined);
  rmSync(root, { recursive: true, force: true });
});

const grey = async (png: Buffer) => Buffer.from((await decodePngGrey(png)).pixels);

describe("importing PACS-style compressed DICOM through the normal ingest", () => {
  let fx: Awaited<ReturnType<typeof makeProject>>;
  let batch: Awaited<ReturnType<typeof importFiles>>;
  const entry = (name: string): ImportEntry => {
    const found = batch.report.files.filter((f) => f.name === name);
    expect(found, name).toHaveLength(1);
    return found[0];
  };

  beforeAll(async () => {
    fx = await makeProject();
    batch = await importFiles(
      fx.lead.actor,
      fx.project.id,
      filesFromPath(path.join(root, "in"), { maxFileBytes: 50 * 1024 * 1024 }),
      {},
    );
  }, 120_000);

  it("imports JPEG 2000, JPEG lossless (process 14 and SV1) and JPEG-LS files, each with the working image of its uncompressed twin", async () => {
    expect({ imported: batch.imported, failed: batch.failed }).toEqual({ imported: 5, failed: 1 });
    for (const c of cases) {
      const e = entry(c.name);
      expect(e, c.name).toMatchObject({ status: "imported", format: "DICOM" });
      const image = await db().image.findUniqueOrThrow({ where: { id: e.imageId! } });
      expect([image.width, image.height, image.sourceFormat]).toEqual([W, H, "DICOM"]);
      const twin = await decodeImage(c.twin, { pseudonymKey: KEY });
      expect((await grey(await store().get(image.storageKey))).equals(Buffer.from(twin.pixels8)), c.name).toBe(true);
      // The stored original is the de-identified file with the decoded pixels, readable by any DICOM reader.
      const original = await store().get(image.originalKey);
      expect(scanDicomStructure(original).syntax.uid).toBe(EXPLICIT);
    }
  });

  it("imports the first frame of a multi-frame file and says so in the report and the CLI summary", async () => {
    const e = entry("pacs/cine-j2k.dcm");
    expect(e.status).toBe("imported");
    expect(e.flags).toContain("multi-frame");
    expect(e.warnings).toEqual([
      "Multi-frame DICOM: only the first of 2 frames was imported as the image (the stored original keeps that frame only)",
    ]);
    const image = await db().image.findUniqueOrThrow({ where: { id: e.imageId! } });
    const first = await decodeImage(multiFrameTwin, { pseudonymKey: KEY });
    expect((await grey(await store().get(image.storageKey))).equals(Buffer.from(first.pixels8))).toBe(true);
    expect(formatSummary(batch as never, "p", 1)).toContain("only the first of 2 frames");
  });

  it("refuses 12-bit JPEG Extended with its reason and stores nothing for it", async () => {
    expect(entry("pacs/cxr-jpeg-12bit.dcm")).toMatchObject({
      status: "failed",
      reason: "JPEG Extended (Process 2 & 4) with 12-bit samples is not supported (8-bit only)",
    });
    expect(await db().image.count({ where: { projectId: fx.project.id } })).toBe(5);
  });
});
