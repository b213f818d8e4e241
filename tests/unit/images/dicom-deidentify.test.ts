import { beforeAll, describe, expect, it } from "vitest";
import { decodeImage } from "@/lib/images/decode-image";
import { basicProfile } from "@/lib/images/dicom/basic-profile";
import { dictionaryEntry, type DicomDataset } from "@/lib/images/dicom/dcmjs";
import { actionFor } from "@/lib/images/dicom/deidentify";
import { parseDicomDataset } from "@/lib/images/dicom/parse-dicom";
import type { DecodedImage } from "@/lib/images/types";
import { buildDicom, EXPLICIT, IMPLICIT, imageModule, phiDicomFile, type PhiFixture } from "./helpers/dicom-builder";
import { containsAscii } from "./helpers/synthetic";

const KEY = "unit-test-pseudonym-key-0123456789";
const OTHER_KEY = "another-pseudonym-key-9876543210zz";
const ROWS = 24;
const COLS = 32;

const phiFile = (label: string, transferSyntaxUid = EXPLICIT) =>
  phiDicomFile(label, {
    rows: ROWS,
    columns: COLS,
    transferSyntaxUid,
    pixels: Array.from({ length: ROWS * COLS }, (_, i) => (i * 37) % 4096),
    dataset: { "00185101": { vr: "CS", Value: ["PA"] }, "00180015": { vr: "CS", Value: ["CHEST"] } },
    preamble: "<html><script>alert(1)</script></html>",
  });

/** Everything decodeImage hands back except raw pixel arrays, as the bytes a database row would hold. */
function metadataJson(d: DecodedImage): Buffer {
  const { pixels8: _p, workingPng: _w, thumbnail: _t, originalBytes: _o, ...rest } = d;
  return Buffer.from(JSON.stringify(rest), "utf8");
}

/** Element values as a string that compares binary payloads by content. */
function comparable(values: unknown[] | undefined): string {
  return JSON.stringify(values ?? [], (_k, v) => (v instanceof ArrayBuffer ? Buffer.from(v).toString("hex") : v));
}

function outputs(d: DecodedImage): Array<[string, Uint8Array]> {
  return [
    ["de-identified DICOM", d.originalBytes],
    ["working PNG", d.workingPng],
    ["thumbnail", d.thumbnail],
    ["metadata JSON", metadataJson(d)],
  ];
}

describe.each([
  ["explicit VR", EXPLICIT],
  ["implicit VR", IMPLICIT],
])("DICOM de-identification: the PHI oracle (%s)", (_name, transferSyntaxUid) => {
  let source: { bytes: Buffer; phi: PhiFixture };
  let result: DecodedImage;
  let output: DicomDataset;

  beforeAll(async () => {
    source = phiFile("A", transferSyntaxUid);
    result = await decodeImage(source.bytes, { pseudonymKey: KEY, fileName: "patient.dcm" });
    output = parseDicomDataset(result.originalBytes);
  });

  it("the fixture really carries PHI in every table attribute", () => {
    const input = parseDicomDataset(source.bytes);
    const missing = [...basicProfile.keys()].filter((t) => !t.startsWith("0002") && !input[t]);
    expect(missing).toEqual([]);
    expect(source.phi.markers.length).toBeGreaterThan(400);
    expect(source.phi.markers.filter((m) => !containsAscii(source.bytes, m))).toEqual([]);
    expect(source.phi.uids.filter((u) => !containsAscii(source.bytes, u))).toEqual([]);
  });

  it("leaves zero marker strings and zero original UIDs anywhere in the outputs", () => {
    const leaks: string[] = [];
    for (const [where, bytes] of outputs(result)) {
      for (const marker of [...source.phi.markers, ...source.phi.uids]) {
        if (containsAscii(bytes, marker)) leaks.push(`${marker} in ${where}`);
      }
      if (containsAscii(bytes, "PHI")) leaks.push(`"PHI" in ${where}`);
    }
    expect(leaks).toEqual([]);
  });

  it("writes a fresh zeroed preamble and a Tandem-only file meta group", () => {
    expect(result.originalBytes.subarray(0, 128).every((b) => b === 0)).toBe(true);
    expect(result.originalBytes.toString("latin1", 128, 132)).toBe("DICM");
    expect(containsAscii(result.originalBytes, "<script")).toBe(false);
  });

  it("applies the resolved action of every table row", () => {
    const input = parseDicomDataset(source.bytes);
    const wrong: string[] = [];
    for (const { tag, keyword } of basicProfile.values()) {
      if (tag.startsWith("0002") || tag === "00100020") continue;
      // Ethics Committee Name (D) is Type 1C on the Approval Number the table removes: it goes too (see deidentify.ts).
      if (tag === "00120081") {
        if (output[tag] !== undefined) wrong.push(`${keyword} kept without its Approval Number`);
        continue;
      }
      const vr = input[tag]?.vr ?? dictionaryEntry(tag)?.vr ?? "LO";
      const action = actionFor(tag, vr);
      const before = comparable(input[tag]?.Value);
      const after = output[tag];
      const values = (after?.Value ?? []).filter((v) => v !== "" && v !== null);
      const ok =
        action === "X"
          ? after === undefined
          : action === "Z"
            ? values.length === 0
            : action === "D"
              ? vr === "SQ"
                ? values.length > 0 // items cleaned by the same table; the leak test proves them empty of PHI
                : values.length > 0 && comparable(values) !== before
              : action === "U"
                ? vr === "SQ" || values.every((v) => typeof v === "string" && /^2\.25\.\d+$/.test(v))
                : true;
      if (!ok) wrong.push(`${keyword} (${action}): ${JSON.stringify(after)}`);
    }
    expect(wrong).toEqual([]);
  });

  it("removes private, curve and overlay groups everywhere, and cleans kept sequences recursively", () => {
    const offenders: string[] = [];
    const walk = (ds: DicomDataset, path: string) => {
      for (const [tag, el] of Object.entries(ds)) {
        const group = parseInt(tag.slice(0, 4), 16);
        if (group % 2 === 1 || (group & 0xff00) === 0x5000 || (group & 0xff00) === 0x6000)
          offenders.push(`${path}${tag}`);
        if (el.vr === "SQ") for (const item of (el.Value ?? []) as DicomDataset[]) walk(item, `${path}${tag}>`);
      }
    };
    walk(output, "");
    expect(offenders).toEqual([]);
    const referenced = output["00081140"]?.Value?.[0] as DicomDataset; // ReferencedImageSequence, X/Z/U → kept
    expect(referenced["00100010"]?.Value ?? []).toEqual([]);
    expect(String(referenced["00081155"]?.Value?.[0])).toMatch(/^2\.25\.\d+$/);
  });

  it("records the de-identification and keeps the non-identifying image facts", () => {
    expect(output["00120062"].Value).toEqual(["YES"]);
    expect(String(output["00120063"].Value?.[0])).toContain("PS3.15");
    const method = output["00120064"].Value?.[0] as DicomDataset;
    expect(method["00080100"].Value).toEqual(["113100"]);
    expect(output["00080060"].Value).toEqual(["DX"]);
    expect(output["00185101"].Value).toEqual(["PA"]);
    expect(result.dicom).toMatchObject({
      modality: "DX",
      viewPosition: "PA",
      bodyPartExamined: "CHEST",
      numberOfFrames: 1,
    });
    expect(result.dicom?.sopInstanceUid).toBe(output["00080018"].Value?.[0]);
  });

  it("replaces Patient ID with the keyed pseudonym", () => {
    const pseudonym = result.dicom?.patientPseudonym;
    expect(pseudonym).toMatch(/^P-[A-Z2-7]{16}$/);
    expect(output["00100020"].Value).toEqual([pseudonym]);
  });
});

describe("DICOM de-identification: consistency across files", () => {
  const study = "1.2.826.0.1.3680043.10.543.500.1";
  const seriesA = "1.2.826.0.1.3680043.10.543.500.2";
  const sopA = "1.2.826.0.1.3680043.10.543.500.3";
  const sopB = "1.2.826.0.1.3680043.10.543.500.4";

  const file = (sop: string, extra: DicomDataset) =>
    buildDicom(
      {
        ...imageModule({ rows: 8, columns: 8, bitsAllocated: 8 }),
        "00100020": { vr: "LO", Value: ["MRN-0042-PHI"] },
        "0020000D": { vr: "UI", Value: [study] },
        "0020000E": { vr: "UI", Value: [seriesA] },
        ...extra,
      },
      { sopInstanceUid: sop, pixelData: Buffer.alloc(64, 9) },
    );
  const a = file(sopA, {});
  const b = file(sopB, {
    "00082112": {
      vr: "SQ",
      Value: [
        { "00081150": { vr: "UI", Value: ["1.2.840.10008.5.1.4.1.1.1.1"] }, "00081155": { vr: "UI", Value: [sopA] } },
      ],
    },
  });

  it("maps the same UID to the same new UID in every file, and keeps references intact", async () => {
    const [ra, rb] = await Promise.all([decodeImage(a, { pseudonymKey: KEY }), decodeImage(b, { pseudonymKey: KEY })]);
    expect(ra.dicom?.studyInstanceUid).toBe(rb.dicom?.studyInstanceUid);
    expect(ra.dicom?.studyInstanceUid).not.toBe(study);
    expect(ra.dicom?.studyInstanceUid).toMatch(/^2\.25\.\d{1,39}$/);
    expect(ra.dicom?.sopInstanceUid).not.toBe(rb.dicom?.sopInstanceUid);
    const source = parseDicomDataset(rb.originalBytes)["00082112"].Value?.[0] as DicomDataset;
    expect(source["00081155"].Value).toEqual([ra.dicom?.sopInstanceUid]);
    expect(source["00081150"].Value).toEqual(["1.2.840.10008.5.1.4.1.1.1.1"]); // a class UID is kept
    const metaUid = ra.originalBytes.includes(Buffer.from(ra.dicom?.sopInstanceUid ?? "x"));
    expect(metaUid).toBe(true);
  });

  it("gives one stable pseudonym per patient, and different ones under another key", async () => {
    const [ra, rb, rc] = await Promise.all([
      decodeImage(a, { pseudonymKey: KEY }),
      decodeImage(b, { pseudonymKey: KEY }),
      decodeImage(a, { pseudonymKey: OTHER_KEY }),
    ]);
    expect(ra.dicom?.patientPseudonym).toBe(rb.dicom?.patientPseudonym);
    expect(rc.dicom?.patientPseudonym).not.toBe(ra.dicom?.patientPseudonym);
    expect(rc.dicom?.studyInstanceUid).not.toBe(ra.dicom?.studyInstanceUid);
    expect(containsAscii(ra.originalBytes, "MRN-0042")).toBe(false);
  });

  it("is deterministic: the same file and key give byte-identical outputs", async () => {
    const [r1, r2] = await Promise.all([decodeImage(a, { pseudonymKey: KEY }), decodeImage(a, { pseudonymKey: KEY })]);
    expect(r1.originalBytes.equals(r2.originalBytes)).toBe(true);
    expect(r1.workingPng.equals(r2.workingPng)).toBe(true);
  });
});
