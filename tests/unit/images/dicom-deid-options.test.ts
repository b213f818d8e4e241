import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors/app-error";
import { decodeImage } from "@/lib/images/decode-image";
import type { DicomDataset } from "@/lib/images/dicom/dcmjs";
import { deidOptionsSchema, NO_DEID_OPTIONS } from "@/lib/images/dicom/deid-options";
import { deidentifyDataset } from "@/lib/images/dicom/deidentify";
import { parseDicomDataset } from "@/lib/images/dicom/parse-dicom";
import { buildDicom, IMPLICIT, imageModule } from "./helpers/dicom-builder";
import { containsAscii } from "./helpers/synthetic";

const KEY = "unit-test-pseudonym-key-0123456789";
const px = Buffer.alloc(64, 7);

function chest(
  extra: DicomDataset,
  patientId = "MRN-77-PHI",
  sop = "1.2.826.0.1.3680043.10.543.900.1",
  transferSyntaxUid?: string,
): Buffer {
  return buildDicom(
    {
      ...imageModule({ rows: 8, columns: 8, bitsAllocated: 8 }),
      "00080060": { vr: "CS", Value: ["DX"] },
      "00100020": { vr: "LO", Value: [patientId] },
      "00100010": { vr: "PN", Value: [{ Alphabetic: "DOE^JANE-PHI" }] },
      "00080020": { vr: "DA", Value: ["20200315"] },
      "00080030": { vr: "TM", Value: ["101112"] },
      "00101010": { vr: "AS", Value: ["045Y"] },
      "00100040": { vr: "CS", Value: ["F"] },
      "00080080": { vr: "LO", Value: ["ST-PHI-HOSPITAL"] },
      "00181000": { vr: "LO", Value: ["SERIAL-PHI-9"] },
      "0020000D": { vr: "UI", Value: ["1.2.826.0.1.3680043.10.543.900.7"] },
      "00081030": { vr: "LO", Value: ["CHEST PA erect Dr-PHI-Smith"] },
      ...extra,
    },
    { sopInstanceUid: sop, pixelData: px, transferSyntaxUid },
  );
}

const codes = (ds: DicomDataset) =>
  ((ds["00120064"]?.Value ?? []) as DicomDataset[]).map((i) => String(i["00080100"].Value?.[0]));
const v = (ds: DicomDataset, tag: string) => ds[tag]?.Value?.[0];
const nonEmpty = (ds: DicomDataset, tag: string) => (ds[tag]?.Value ?? []).filter((x) => x !== "" && x !== null);

describe("Table E.1-1 options, per project", () => {
  it("off by default: only 113100 recorded, dates removed, descriptors gone", async () => {
    const out = parseDicomDataset((await decodeImage(chest({}), { pseudonymKey: KEY })).originalBytes);
    expect(codes(out)).toEqual(["113100"]);
    expect(out["00280303"].Value).toEqual(["REMOVED"]);
    expect(nonEmpty(out, "00080020")).toEqual([]);
    expect(out["00081030"]).toBeUndefined();
    expect(out["00101010"]).toBeUndefined();
    expect(nonEmpty(out, "00080080")).toEqual([]); // X/Z/D → empty
  });

  it("records each enabled option's code and keeps exactly what it retains", async () => {
    const deidOptions = deidOptionsSchema.parse({
      retainLongitudinalFullDates: true,
      retainPatientCharacteristics: true,
      retainDeviceIdentity: true,
      retainInstitutionIdentity: true,
      retainUids: true,
      cleanDescriptors: true,
    });
    const out = parseDicomDataset((await decodeImage(chest({}), { pseudonymKey: KEY, deidOptions })).originalBytes);
    expect(codes(out)).toEqual(["113100", "113106", "113108", "113109", "113110", "113112", "113105"]);
    expect(out["00120063"].Value).toContain("Retain Device Identity Option");
    expect(out["00280303"].Value).toEqual(["UNMODIFIED"]);
    expect(v(out, "00080020")).toBe("20200315");
    expect(v(out, "00101010")).toBe("045Y");
    expect(v(out, "00100040")).toBe("F");
    expect(v(out, "00080080")).toBe("ST-PHI-HOSPITAL");
    expect(v(out, "00181000")).toBe("SERIAL-PHI-9");
    expect(v(out, "0020000D")).toBe("1.2.826.0.1.3680043.10.543.900.7");
    expect(v(out, "00081030")).toBe("CHEST PA ERECT"); // cleaned: the doctor's name is gone
    expect(nonEmpty(out, "00100010")).toEqual([]); // no option retains the name
  });

  it("Modified Dates shifts every date of a patient by the same keyed offset", async () => {
    const deidOptions = deidOptionsSchema.parse({ retainLongitudinalModifiedDates: true });
    const a = parseDicomDataset((await decodeImage(chest({}), { pseudonymKey: KEY, deidOptions })).originalBytes);
    const b = parseDicomDataset(
      (
        await decodeImage(
          chest({ "00080020": { vr: "DA", Value: ["20200325"] } }, "MRN-77-PHI", "1.2.826.0.1.3680043.10.543.900.2"),
          { pseudonymKey: KEY, deidOptions },
        )
      ).originalBytes,
    );
    const day = (s: unknown) =>
      Date.UTC(Number(String(s).slice(0, 4)), Number(String(s).slice(4, 6)) - 1, Number(String(s).slice(6, 8))) /
      86_400_000;
    expect(codes(a)).toEqual(["113100", "113107"]);
    expect(a["00280303"].Value).toEqual(["MODIFIED"]);
    expect(v(a, "00080020")).not.toBe("20200315");
    expect(day(v(b, "00080020")) - day(v(a, "00080020"))).toBe(10); // the interval survives
    expect(day(v(a, "00080020"))).toBeLessThan(day("20200315"));
  });

  it("Modified Dates leaves no original date in any encoding: ranges, several values, date-times with offsets", async () => {
    const deidOptions = deidOptionsSchema.parse({ retainLongitudinalModifiedDates: true });
    const bytes = chest({
      "00080020": { vr: "DA", Value: ["20200315", "20200316"] },
      "00080021": { vr: "DA", Value: ["20190101-20190202"] }, // X/D: removed whatever the option
      "00080022": { vr: "DA", Value: ["20180303-20180404"] }, // X/Z with T: shifted
      "0008002A": { vr: "DT", Value: ["20170505101010.123+0100", "20160606-20160707"] },
    });
    const d = await decodeImage(bytes, { pseudonymKey: KEY, deidOptions });
    for (const date of [
      "20200315",
      "20200316",
      "20190101",
      "20190202",
      "20180303",
      "20180404",
      "20170505",
      "20160606",
      "20160707",
    ]) {
      expect(containsAscii(d.originalBytes, date), date).toBe(false);
    }
    const out = parseDicomDataset(d.originalBytes);
    expect(String(v(out, "00080022")).trim()).toMatch(/^\d{8}-\d{8}$/);
    expect(String(v(out, "0008002A")).trim()).toMatch(/^\d{8}101010\.123\+0100$/);
  });

  it("keeps nothing unknown, at any depth", async () => {
    const extra: DicomDataset = {
      "00189004": { vr: "CS", Value: ["PHI1"] }, // not in the table, not needed
      "0040A160": { vr: "UT", Value: ["PHI-text-value"] },
      "00081090": { vr: "LO", Value: ["PHI-model-name"] }, // Manufacturer's Model Name: not listed, not needed
      "00082112": {
        vr: "SQ",
        Value: [
          {
            "00081150": { vr: "UI", Value: ["1.2.840.10008.5.1.4.1.1.1.1"] },
            "00081155": { vr: "UI", Value: ["1.2.826.0.1.3680043.10.543.900.9"] },
            "0040A160": { vr: "UT", Value: ["PHI-nested-text"] },
            "00400555": {
              vr: "SQ",
              Value: [
                {
                  "0040A160": { vr: "UT", Value: ["PHI-deep-text"] },
                  "00100010": { vr: "PN", Value: [{ Alphabetic: "PHI-deep-name" }] },
                },
              ],
            },
          },
        ],
      },
    };
    for (const ts of [undefined, IMPLICIT]) {
      const input = chest(extra, "MRN-77-PHI", "1.2.826.0.1.3680043.10.543.900.1", ts);
      const d = await decodeImage(input, { pseudonymKey: KEY });
      expect(containsAscii(d.originalBytes, "PHI")).toBe(false);
      const out = parseDicomDataset(d.originalBytes);
      expect(out["00189004"]).toBeUndefined();
      expect(out["0040A160"]).toBeUndefined();
      expect(out["00081090"]).toBeUndefined();
      const item = out["00082112"].Value?.[0] as DicomDataset;
      expect(Object.keys(item).sort()).toEqual(["00081150", "00081155", "00400555"]);
      expect((item["00400555"].Value ?? []).length).toBe(0); // X/Z → empty at depth 2 as at the top
    }
  });

  it("refuses a file it cannot fully de-identify instead of storing it half-cleaned", () => {
    const broken: DicomDataset = {
      "00081140": { vr: "SQ", Value: [new TextEncoder().encode("PHI-inside-an-unparsed-item").buffer] },
    };
    let err: unknown;
    try {
      deidentifyDataset(broken, KEY, NO_DEID_OPTIONS);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(/cannot be fully de-identified: ReferencedImageSequence \(0008,1140\)/);
  });
});

describe("modality policy and pixel-data tolerance", () => {
  const ct = (modality: string) => chest({ "00080060": { vr: "CS", Value: [modality] } });
  const policy = { accepted: ["CR", "DX"], otherwise: "REFUSE" as const };

  it("refuses other modalities with a reason, or imports them flagged", async () => {
    await expect(decodeImage(ct("CT"), { pseudonymKey: KEY, modalityPolicy: policy })).rejects.toThrow(
      /modality CT; this project accepts CR, DX/,
    );
    await expect(decodeImage(ct("MR"), { pseudonymKey: KEY, modalityPolicy: policy })).rejects.toMatchObject({
      code: "UNSUPPORTED",
    });
    const flagged = await decodeImage(ct("CT"), {
      pseudonymKey: KEY,
      modalityPolicy: { ...policy, otherwise: "FLAG" },
    });
    expect(flagged.flags).toContain("modality-not-accepted");
    const dx = await decodeImage(ct("DX"), { pseudonymKey: KEY, modalityPolicy: policy });
    expect(dx.flags).not.toContain("modality-not-accepted");
  });

  it("tolerates and trims trailing padding after the expected pixel bytes", async () => {
    const padded = buildDicom(
      { ...imageModule({ rows: 8, columns: 8, bitsAllocated: 8 }), "00080060": { vr: "CS", Value: ["DX"] } },
      { pixelData: Buffer.concat([px, Buffer.alloc(8)]) },
    );
    const d = await decodeImage(padded, { pseudonymKey: KEY });
    expect(d.width).toBe(8);
    expect(parseDicomDataset(d.originalBytes)["7FE00010"]).toBeDefined();
    const stored = Buffer.from(
      (parseDicomDataset(d.originalBytes)["7FE00010"].Value?.[0] as ArrayBuffer) ?? new ArrayBuffer(0),
    );
    expect(stored.length).toBe(64);
  });
});
