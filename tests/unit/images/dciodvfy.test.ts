import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeImage } from "@/lib/images/decode-image";
import type { DicomDataset } from "@/lib/images/dicom/dcmjs";
import { deidOptionsSchema } from "@/lib/images/dicom/deid-options";
import { buildDicom, IMPLICIT, imageModule, nativePixels, phiDataset } from "./helpers/dicom-builder";

// dciodvfy (Debian dicom3tools, installed by `npm test` through scripts/ensure-deps.sh) checks a
// file against its IOD. De-identification may not add an error: every error it reports on the
// stored original must already be reported on the input.

const KEY = "unit-test-pseudonym-key-0123456789";
const CR_CLASS = "1.2.840.10008.5.1.4.1.1.1";
const DX_CLASS = "1.2.840.10008.5.1.4.1.1.1.1";
const dir = process.env.KEEP_DCIODVFY ?? mkdtempSync(path.join(os.tmpdir(), "tandem-dciodvfy-"));
afterAll(() => {
  if (!process.env.KEEP_DCIODVFY) rmSync(dir, { recursive: true, force: true });
});

const s = (vr: string, v: unknown) => ({ vr, Value: [v] });
const pn = (name: string) => ({ vr: "PN", Value: [{ Alphabetic: name }] });

/** What a hospital CR/DX carries: the IOD's required attributes and the usual identifying ones. */
function hospitalDataset(modality: "CR" | "DX"): DicomDataset {
  const ds: DicomDataset = {
    "00080005": s("CS", "ISO_IR 100"),
    "00080008": { vr: "CS", Value: ["ORIGINAL", "PRIMARY"] },
    "00080012": s("DA", "20210304"),
    "00080013": s("TM", "101010"),
    "00080020": s("DA", "20210304"),
    "00080021": s("DA", "20210304"),
    "00080023": s("DA", "20210304"),
    "00080030": s("TM", "101010"),
    "00080031": s("TM", "101010"),
    "00080033": s("TM", "101010"),
    "00080050": s("SH", "ACC12345"),
    "00080060": s("CS", modality),
    "00080070": s("LO", "ACME Imaging"),
    "00080080": s("LO", "St Elsewhere Hospital"),
    "00080081": s("ST", "1 Main Street, Springfield"),
    "00080090": pn("House^Gregory"),
    "00081010": s("SH", "XRAY-ROOM-3"),
    "00081030": s("LO", "CHEST PA"),
    "0008103E": s("LO", "PA erect"),
    "00081040": s("LO", "Radiology"),
    "00081070": pn("Tech^Tina"),
    "00081090": s("LO", "RadMaster 3000"),
    "00100010": pn("Doe^Jane"),
    "00100020": s("LO", "MRN0042"),
    "00100030": s("DA", "19600101"),
    "00100040": s("CS", "F"),
    "00101010": s("AS", "061Y"),
    "00180015": s("CS", "CHEST"),
    "00181000": s("LO", "SN-998877"),
    "00181020": s("LO", "v1.2"),
    "00185101": s("CS", "PA"),
    "0020000D": s("UI", "1.2.826.0.1.3680043.10.543.70.1"),
    "0020000E": s("UI", "1.2.826.0.1.3680043.10.543.70.2"),
    "00200010": s("SH", "STUDY7"),
    "00200011": s("IS", "1"),
    "00200013": s("IS", "1"),
    "00200020": { vr: "CS", Value: ["L", "F"] },
    "00200060": s("CS", ""),
    "00080064": undefined as never,
    "00090010": s("LO", "ACME PRIVATE"),
    "00091001": s("LO", "secret private text"),
    "00081140": {
      vr: "SQ",
      Value: [{ "00081150": s("UI", CR_CLASS), "00081155": s("UI", "1.2.826.0.1.3680043.10.543.70.9") }],
    },
  };
  delete ds["00080064"];
  if (modality === "DX") {
    Object.assign(ds, {
      "00080068": s("CS", "FOR PRESENTATION"),
      "00080008": { vr: "CS", Value: ["ORIGINAL", "PRIMARY"] },
      "00200062": s("CS", "U"),
      "00281040": s("CS", "LOG"),
      "00281041": s("SS", 1),
      "00281052": s("DS", "0"),
      "00281053": s("DS", "1"),
      "00281054": s("LO", "US"),
      "20500020": s("CS", "IDENTITY"),
      "00282110": s("CS", "00"),
      "00280301": s("CS", "NO"),
      "00187004": s("CS", "SCINTILLATOR"),
      "00181164": { vr: "DS", Value: ["0.139", "0.139"] },
      "00082218": {
        vr: "SQ",
        Value: [{ "00080100": s("SH", "51185008"), "00080102": s("SH", "SCT"), "00080104": s("LO", "Chest") }],
      },
      "00400555": { vr: "SQ", Value: [] },
      "00281050": s("DS", "2048"),
      "00281051": s("DS", "4096"),
    });
  }
  return ds;
}

function errors(file: string): string[] {
  const r = spawnSync("dciodvfy", ["-new", file], { encoding: "utf8" });
  expect(r.error, "dciodvfy must be installed (Debian package dicom3tools)").toBeUndefined();
  return `${r.stdout}\n${r.stderr}`
    .split("\n")
    .filter((l) => /^Error/.test(l))
    .map((l) => l.replace(/\s+/g, " ").trim());
}

async function newErrors(name: string, input: Buffer, opts: Parameters<typeof decodeImage>[1] = { pseudonymKey: KEY }) {
  const inFile = path.join(dir, `${name}-in.dcm`);
  const outFile = path.join(dir, `${name}-out.dcm`);
  writeFileSync(inFile, input);
  writeFileSync(outFile, (await decodeImage(input, opts)).originalBytes);
  const before = new Set(errors(inFile));
  const after = errors(outFile);
  return { before: [...before], after, introduced: after.filter((e) => !before.has(e)) };
}

const pixels = (rows: number, cols: number) =>
  nativePixels(
    Array.from({ length: rows * cols }, (_, i) => (i * 13) % 4096),
    16,
  );

describe("dciodvfy finds no error that de-identification introduced", () => {
  it("on a CR image with the usual identifying attributes", async () => {
    const bytes = buildDicom(
      {
        ...hospitalDataset("CR"),
        ...imageModule({ rows: 16, columns: 16, bitsAllocated: 16, bitsStored: 12 }),
        "00280004": s("CS", "MONOCHROME1"),
      },
      { sopClassUid: CR_CLASS, pixelData: pixels(16, 16) },
    );
    const r = await newErrors("cr", bytes);
    expect(r.introduced).toEqual([]);
    expect(r.after.length).toBeLessThanOrEqual(r.before.length);
  });

  it("on a DX For Presentation image, implicit VR, with every option enabled", async () => {
    const bytes = buildDicom(
      { ...hospitalDataset("DX"), ...imageModule({ rows: 16, columns: 16, bitsAllocated: 16, bitsStored: 12 }) },
      { sopClassUid: DX_CLASS, transferSyntaxUid: IMPLICIT, pixelData: pixels(16, 16) },
    );
    expect((await newErrors("dx", bytes)).introduced).toEqual([]);
    const deidOptions = deidOptionsSchema.parse({
      retainLongitudinalModifiedDates: true,
      retainPatientCharacteristics: true,
      retainDeviceIdentity: true,
      retainInstitutionIdentity: true,
      retainUids: true,
      cleanDescriptors: true,
    });
    expect((await newErrors("dx-options", bytes, { pseudonymKey: KEY, deidOptions })).introduced).toEqual([]);
  });

  it("on a DX image with every Table E.1-1 attribute filled", async () => {
    const phi = phiDataset("V");
    // Command-group rows would stop dciodvfy at the first element ("tags out of order"), hiding every later error of the input.
    delete phi.dataset["00001000"];
    delete phi.dataset["00001001"];
    const bytes = buildDicom(
      {
        ...phi.dataset,
        ...hospitalDataset("DX"),
        ...imageModule({ rows: 16, columns: 16, bitsAllocated: 16, bitsStored: 12 }),
      },
      { sopClassUid: DX_CLASS, sopInstanceUid: String(phi.dataset["00080018"].Value?.[0]), pixelData: pixels(16, 16) },
    );
    const r = await newErrors("phi", bytes);
    expect(r.before.length).toBeGreaterThan(0); // the oracle's input is far from conformant…
    expect(r.introduced).toEqual([]); // …and de-identification adds nothing to that
  });
});
