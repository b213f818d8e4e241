import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { zipSync } from "fflate";
import { db } from "../../lib/db/client";
import type { DicomDataset } from "../../lib/images/dicom/dcmjs";
import { parseDicomDataset } from "../../lib/images/dicom/parse-dicom";
import { requestExport } from "../../lib/exports/mutations";
import { readTar } from "../../lib/exports/tar-reader";
import { importFiles } from "../../lib/imports/mutations";
import { filesFromStream } from "../../lib/imports/stream-source";
import { LocalStore } from "../../lib/storage/local-store";
import { setStoreForTests, store } from "../../lib/storage/store";
import { exportHandler } from "../../workers/handlers/export";
import { seedAcceptedProject } from "../setup/seed-accepted";
import { EXPLICIT, IMPLICIT, phiDicomFile } from "../unit/images/helpers/dicom-builder";

// The PHI oracle end to end: DICOMs with a unique canary in every row of PS3.15 Table E.1-1
// (explicit and implicit VR, nested sequences, private blocks, dates, times and UIDs in several
// encodings) go through a real import (a ZIP upload) and a full export. No canary may survive
// in the database, in storage (raw bytes and every decoded DICOM element), in the logs or in
// the export archive.

let dir: string;
let seed: Awaited<ReturnType<typeof seedAcceptedProject>>;
const logs: string[] = [];
const W = 40;
const H = 32;

const phiFile = (label: string, transferSyntaxUid: string, modality = "DX") =>
  phiDicomFile(label, {
    rows: H,
    columns: W,
    transferSyntaxUid,
    pixels: Array.from({ length: W * H }, (_, i) => (i * 29 + label.charCodeAt(0)) % 4096),
    dataset: { "00080060": { vr: "CS", Value: [modality] } },
  });

const files = { explicit: phiFile("E", EXPLICIT), implicit: phiFile("I", IMPLICIT), ct: phiFile("C", EXPLICIT, "CT") };
/** Every canary; short all-digit ones only where bytes are not compressed pixels. */
const canaries = (binary: boolean, withNames = true) => {
  const all = Object.values(files).flatMap((f) => [...f.phi.markers, ...f.phi.uids]);
  // The seed's original file names (PHI_NAME…) are kept in the database by design: they are only kept out of exports.
  const seeded = withNames ? seed.phiMarkers : seed.phiMarkers.filter((m) => !/PHI-NAME|PHI-BLOCKED|Doe\^John/.test(m));
  return [...new Set([...all, ...seeded, "PHI"])].filter((m) => !binary || m.length >= 8 || /[^0-9a-f.]/i.test(m));
};

/** Every string a DICOM holds, at every depth, as a reader would see it. */
function decodedValues(bytes: Buffer): string[] {
  const out: string[] = [];
  const walk = (ds: DicomDataset) => {
    for (const el of Object.values(ds)) {
      for (const v of el.Value ?? []) {
        if (typeof v === "string" || typeof v === "number") out.push(String(v));
        else if (v && typeof v === "object" && "Alphabetic" in v) out.push(JSON.stringify(v));
        else if (v instanceof ArrayBuffer) out.push(Buffer.from(v).toString("latin1"));
        else if (v && typeof v === "object") walk(v as DicomDataset);
      }
    }
  };
  walk(parseDicomDataset(bytes));
  return out;
}

function leaksIn(where: string, bytes: Buffer, binary: boolean): string[] {
  const found = canaries(binary)
    .filter((m) => bytes.includes(Buffer.from(m, "latin1")))
    .map((m) => `${where}: ${m}`);
  if (bytes.subarray(128, 132).toString("latin1") === "DICM") {
    const text = decodedValues(bytes).join("\n");
    found.push(
      ...canaries(false)
        .filter((m) => text.includes(m))
        .map((m) => `${where} (decoded element): ${m}`),
    );
  }
  return found;
}

async function* chunked(data: Uint8Array, size = 9_000): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

let imported: Awaited<ReturnType<typeof importFiles>>;
let archive: Buffer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "tandem-phi-oracle-"));
  setStoreForTests(new LocalStore(dir));
  seed = await seedAcceptedProject({ covid: 2, controls: 1, dicom: true });
  for (const f of Object.values(files))
    expect(f.phi.markers.filter((m) => !f.bytes.includes(Buffer.from(m, "latin1")))).toEqual([]);
  const zip = Buffer.from(
    zipSync({
      "site/explicit.dcm": files.explicit.bytes,
      "site/implicit.dcm": files.implicit.bytes,
      "site/ct.dcm": files.ct.bytes,
    }),
  );
  const prevLevel = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = "debug";
  const restores: Array<() => void> = [];
  for (const s of [process.stdout, process.stderr]) {
    const spy = vi.spyOn(s, "write").mockImplementation(((chunk: string | Uint8Array) => {
      logs.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("latin1"));
      return true;
    }) as typeof s.write);
    restores.push(() => spy.mockRestore());
  }
  for (const m of ["log", "info", "warn", "error", "debug"] as const) {
    const spy = vi
      .spyOn(console, m)
      .mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(" ")));
    restores.push(() => spy.mockRestore());
  }
  try {
    imported = await importFiles(
      seed.fx.lead.actor,
      seed.projectId,
      filesFromStream("site.zip", chunked(zip), { maxFileBytes: 50 * 1024 * 1024 }),
    );
    // Accept the imported images (label-derived empty masks), so the export carries them too.
    for (const f of imported.report.files.filter((x) => x.status === "imported")) {
      await db().image.update({ where: { id: f.imageId! }, data: { label: "CONTROL", state: "ACCEPTED" } });
      await db().groundTruth.create({
        data: {
          projectId: seed.projectId,
          imageId: f.imageId!,
          decision: "LABEL",
          sourceKind: "EMPTY",
          acceptedAt: new Date(Date.UTC(2026, 1, 1)),
        },
      });
    }
    const r = await requestExport(seed.fx.exporter.actor, seed.projectId, { acceptedOnly: true });
    const job = await db().job.findUniqueOrThrow({ where: { singletonKey: `export:${r.exportId}` } });
    await exportHandler({
      jobId: job.id,
      attempt: 1,
      payload: { exportId: r.exportId },
      signal: new AbortController().signal,
      progress: async () => undefined,
    });
    const row = await db().export.findUniqueOrThrow({ where: { id: r.exportId } });
    archive = await store().get(row.storageKey!);
  } finally {
    restores.forEach((r) => r());
    process.env.LOG_LEVEL = prevLevel;
  }
}, 180_000);

afterAll(() => {
  setStoreForTests(undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe("PHI oracle: Table E.1-1 canaries through import and export", () => {
  it("imports the CR/DX files in both encodings and refuses the CT with its reason", () => {
    const line = (n: string) => imported.report.files.find((f) => f.name === n);
    expect(line("site/explicit.dcm")).toMatchObject({ status: "imported", format: "DICOM" });
    expect(line("site/implicit.dcm")).toMatchObject({ status: "imported", format: "DICOM" });
    expect(line("site/ct.dcm")).toMatchObject({
      status: "failed",
      reason: expect.stringMatching(/modality CT; this project accepts CR, DX/),
    });
  });

  it("leaves no canary in the database", async () => {
    const rows = await db().$queryRawUnsafe<{ row: string }[]>(
      `SELECT row_to_json(p)::text "row" FROM "Project" p WHERE id = $1::uuid
       UNION ALL SELECT row_to_json(i)::text FROM "Image" i WHERE "projectId" = $1::uuid
       UNION ALL SELECT row_to_json(b)::text FROM "ImportBatch" b WHERE "projectId" = $1::uuid
       UNION ALL SELECT row_to_json(a)::text FROM "AuditLog" a WHERE "projectId" = $1::uuid
       UNION ALL SELECT row_to_json(e)::text FROM "Export" e WHERE "projectId" = $1::uuid
       UNION ALL SELECT row_to_json(j)::text FROM "Job" j WHERE "projectId" = $1::uuid`,
      seed.projectId,
    );
    const dump = rows.map((r) => r.row).join("\n");
    expect(dump).toContain("site/explicit.dcm");
    expect(canaries(true, false).filter((m) => m !== "PHI" && dump.includes(m))).toEqual([]);
  });

  it("leaves no canary in storage: raw bytes, decoded DICOM elements, PNG and JPEG", async () => {
    const leaks: string[] = [];
    let dicoms = 0;
    for await (const k of store().list(`projects/${seed.projectId}/`)) {
      if (k.includes("/exports/")) continue;
      const bytes = await store().get(k);
      if (bytes.subarray(128, 132).toString("latin1") === "DICM") dicoms++;
      leaks.push(...leaksIn(k, bytes, true));
    }
    expect(dicoms).toBe(3); // the seeded one and the two imported
    expect(leaks).toEqual([]);
  });

  it("leaves no canary in the logs", () => {
    const text = logs.join("\n");
    expect(text).toContain("import.finished");
    expect(canaries(true).filter((m) => m !== "PHI" && text.includes(m))).toEqual([]);
  });

  it("leaves no canary in the export archive, including its DICOM files decoded", () => {
    const entries = readTar(archive);
    const dcm = entries.filter((e) => e.path.endsWith(".dcm"));
    expect(dcm.filter((e) => e.path.includes("/DICOM/")).length).toBe(3);
    const leaks = [
      ...leaksIn("archive", archive, true),
      ...dcm.flatMap((e) => leaksIn(e.path, Buffer.from(e.data), true)),
    ];
    expect(leaks).toEqual([]);
    const readme = entries.find((e) => e.path.endsWith("README.md"));
    expect(Buffer.from(readme!.data).toString("utf8")).toMatch(
      /PS3\.15 2024b Table E\.1-1[^\n]*113100\); options: none/,
    );
  });
});
