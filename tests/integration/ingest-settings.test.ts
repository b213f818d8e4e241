import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { db } from "../../lib/db/client";
import type { DicomDataset } from "../../lib/images/dicom/dcmjs";
import { parseDicomDataset } from "../../lib/images/dicom/parse-dicom";
import { importFiles } from "../../lib/imports/mutations";
import { createProject, updateIngestSettings } from "../../lib/projects/mutations";
import { ingestSettings } from "../../lib/projects/queries";
import { LocalStore } from "../../lib/storage/local-store";
import { setStoreForTests, store } from "../../lib/storage/store";
import { makeProject, makeUser, uniq } from "../setup/fixtures";
import { buildDicom, imageModule } from "../unit/images/helpers/dicom-builder";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "tandem-ingest-settings-"));
  setStoreForTests(new LocalStore(dir));
});
afterAll(() => {
  setStoreForTests(undefined);
  rmSync(dir, { recursive: true, force: true });
});

const dicom = (modality: string, seed: number) =>
  buildDicom(
    {
      ...imageModule({ rows: 16, columns: 16, bitsAllocated: 8 }),
      "00080060": { vr: "CS", Value: [modality] },
      "00100020": { vr: "LO", Value: [`MRN-${seed}`] },
      "00080020": { vr: "DA", Value: ["20200101"] },
      "00181000": { vr: "LO", Value: ["SERIAL-7"] },
    },
    { sopInstanceUid: `1.2.826.0.1.3680043.10.543.${seed}`, pixelData: Buffer.alloc(256, seed) },
  );

async function* files(list: Array<[string, Buffer]>) {
  for (const [name, bytes] of list) yield { name, bytes };
}

describe("per-project ingest settings", () => {
  it("default to CR and DX, refusing others, with every Table E.1-1 option off", async () => {
    const fx = await makeProject();
    expect(await ingestSettings(fx.project.id)).toEqual({
      modalities: { accepted: ["CR", "DX"], otherwise: "REFUSE" },
      deid: {
        cleanDescriptors: false,
        retainDeviceIdentity: false,
        retainInstitutionIdentity: false,
        retainLongitudinalFullDates: false,
        retainLongitudinalModifiedDates: false,
        retainPatientCharacteristics: false,
        retainUids: false,
      },
    });
  });

  it("are set at creation and changed by a lead only, audited; a contradictory choice is refused", async () => {
    const admin = await makeUser({ isAdmin: true });
    const p = await createProject(admin.actor, {
      name: "Settings",
      slug: uniq("s"),
      ingest: { modalities: { accepted: ["cr", "DX", "CT"] }, deid: { retainDeviceIdentity: true } },
    });
    expect(await ingestSettings(p.id)).toMatchObject({
      modalities: { accepted: ["CR", "DX", "CT"], otherwise: "REFUSE" },
      deid: { retainDeviceIdentity: true, retainUids: false },
    });
    const fx = await makeProject();
    await expect(
      updateIngestSettings(fx.md.actor, fx.project.id, { deid: { retainUids: true } }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      updateIngestSettings(fx.lead.actor, fx.project.id, {
        deid: { retainLongitudinalFullDates: true, retainLongitudinalModifiedDates: true },
      }),
    ).rejects.toThrow(/either/);
    await expect(
      updateIngestSettings(fx.lead.actor, fx.project.id, { modalities: { accepted: ["C R"] } }),
    ).rejects.toThrow(/DICOM code/);
    await updateIngestSettings(fx.lead.actor, fx.project.id, {
      modalities: { accepted: ["DX"], otherwise: "FLAG" },
      deid: { retainUids: true },
    });
    expect(await ingestSettings(fx.project.id)).toMatchObject({
      modalities: { accepted: ["DX"], otherwise: "FLAG" },
      deid: { retainUids: true },
    });
    const audit = await db().auditLog.findFirst({ where: { projectId: fx.project.id, action: "project.ingest_set" } });
    expect(audit?.after).toMatchObject({ deid: { retainUids: true } });
  });

  it("are what an import applies: the modality policy and the options recorded in each stored file", async () => {
    const fx = await makeProject();
    const refused = await importFiles(
      fx.lead.actor,
      fx.project.id,
      files([
        ["ct.dcm", dicom("CT", 1)],
        ["dx.dcm", dicom("DX", 2)],
      ]),
    );
    expect(refused.report.files.map((f) => [f.name, f.status, f.reason ?? ""])).toEqual([
      ["ct.dcm", "failed", "The file has modality CT; this project accepts CR, DX"],
      ["dx.dcm", "imported", ""],
    ]);
    expect(await db().image.count({ where: { projectId: fx.project.id } })).toBe(1); // the refusal changed nothing else

    await updateIngestSettings(fx.lead.actor, fx.project.id, {
      modalities: { accepted: ["DX"], otherwise: "FLAG" },
      deid: { retainDeviceIdentity: true, retainLongitudinalFullDates: true },
    });
    const flagged = await importFiles(fx.lead.actor, fx.project.id, files([["ct.dcm", dicom("CT", 3)]]));
    const line = flagged.report.files[0];
    expect(line).toMatchObject({ status: "imported", flags: expect.arrayContaining(["modality-not-accepted"]) });
    const img = await db().image.findUniqueOrThrow({ where: { id: line.imageId! } });
    expect(img.flags).toContain("modality-not-accepted");
    const stored = parseDicomDataset(await store().get(img.originalKey));
    const codes = ((stored["00120064"].Value ?? []) as DicomDataset[]).map((i) => i["00080100"].Value?.[0]);
    expect(codes).toEqual(["113100", "113106", "113109"]);
    expect(stored["00080020"].Value).toEqual(["20200101"]);
    expect(stored["00181000"].Value).toEqual(["SERIAL-7"]);
  });
});
