import { describe, expect, it } from "vitest";
import { PROFILE_EDITION, basicProfile, profileEntryFor, profileRows } from "@/lib/images/dicom/basic-profile";
import { dictionaryEntry } from "@/lib/images/dicom/dcmjs";
import { NO_DEID_OPTIONS, deidOptionsSchema } from "@/lib/images/dicom/deid-options";
import { actionFor, resolveAction } from "@/lib/images/dicom/deidentify";
import { keepList } from "@/lib/images/dicom/keep-list";

// PS3.15 2024b, Table E.1-1: 621 rows — 617 single attributes, Curve Data (50xx,xxxx), Overlay
// Data (60xx,3000), Overlay Comments (60xx,4000) and the private attributes row.
const EDITION_ROWS = 621;

describe(`Table E.1-1 (PS3.15 ${PROFILE_EDITION})`, () => {
  it("has exactly one row per attribute of the edition", () => {
    expect(PROFILE_EDITION).toBe("2024b");
    expect(profileRows.length).toBe(EDITION_ROWS);
    expect(new Set(profileRows.map((r) => r.tag)).size).toBe(EDITION_ROWS);
    expect(basicProfile.size).toBe(EDITION_ROWS - 4);
    for (const tag of basicProfile.keys()) expect(tag).toMatch(/^[0-9A-F]{8}$/);
  });

  it("counts each Basic Profile code as the edition does", () => {
    const count: Record<string, number> = {};
    for (const r of profileRows) count[r.action] = (count[r.action] ?? 0) + 1;
    expect(count).toEqual({ D: 92, Z: 42, X: 384, U: 54, "Z/D": 6, "X/Z": 11, "X/D": 22, "X/Z/D": 8, "X/Z/U*": 2 });
  });

  it("names each tag with the keyword the DICOM dictionary uses", () => {
    const mismatches: string[] = [];
    for (const { tag, keyword } of basicProfile.values()) {
      const entry = dictionaryEntry(tag);
      if (entry && entry.name.replace(/^RETIRED_/, "") !== keyword)
        mismatches.push(`${tag} ${keyword} ≠ ${entry.name}`);
    }
    expect(mismatches).toEqual([]);
  });

  it("holds the rows the hostile set found missing", () => {
    const keywords = new Set(profileRows.map((e) => e.keyword));
    const required = [
      "RetrieveAETitle",
      "StationAETitle",
      "IssuerOfClinicalTrialProtocolID",
      "OtherClinicalTrialProtocolIDsSequence",
      "EthicsCommitteeApprovalEffectivenessStartDate",
      "EthicsCommitteeApprovalEffectivenessEndDate",
      "DateOfManufacture",
      "DateOfInstallation",
      "StudyIDIssuer",
      "StudyVerifiedDate",
      "StudyVerifiedTime",
      "StudyReadDate",
      "StudyReadTime",
      "NetworkID",
      "CalibrationDate",
      "CalibrationTime",
      "CreationDate",
      "CreationTime",
      "Originator",
      "ROIName",
      "ROIDateTime",
      "ROIObservationDateTime",
      "ROICreatorSequence",
      "ROIInterpreterSequence",
      "DistributionAddress",
      "DistributionName",
      "PatientName",
      "PatientID",
      "StudyInstanceUID",
    ];
    expect(required.filter((k) => !keywords.has(k))).toEqual([]);
  });

  it("uses the table's codes", () => {
    const code = (keyword: string) => profileRows.find((e) => e.keyword === keyword)?.action;
    expect(code("PatientName")).toBe("Z");
    expect(code("PatientID")).toBe("Z/D");
    expect(code("OperatorsName")).toBe("X/Z/D");
    expect(code("StudyInstanceUID")).toBe("U");
    expect(code("ReferencedImageSequence")).toBe("X/Z/U*");
    expect(code("ContentSequence")).toBe("D");
  });

  it("resolves conformance-dependent codes to removal or an empty value", () => {
    expect(resolveAction("X/Z/D", "PN")).toBe("Z");
    expect(resolveAction("X/D", "DA")).toBe("X");
    expect(resolveAction("Z/D", "DA")).toBe("Z");
    expect(resolveAction("X/Z", "SQ", "00081110")).toBe("X"); // an empty Type 3 sequence would be invalid
    expect(resolveAction("X/Z", "SQ", "00400555")).toBe("Z"); // Acquisition Context Sequence is Type 2 in DX
    expect(resolveAction("X/Z", "LO")).toBe("Z");
    expect(resolveAction("X/Z/U*", "SQ")).toBe("U");
  });

  it("removes what is neither in the table nor on the keep-list, private groups included", () => {
    expect(actionFor("00091010", "LO")).toBe("X"); // private
    expect(profileEntryFor("00291020")?.keyword).toBe("PrivateAttributes");
    expect(actionFor("60003000", "OW")).toBe("X"); // overlay data
    expect(actionFor("60020010", "US")).toBe("X"); // overlay rows: unknown, so removed
    expect(actionFor("50000010", "US")).toBe("X"); // curve
    expect(actionFor("00400A0B", "UI")).toBe("X"); // an unlisted UI is unknown
    expect(actionFor("00321034", "PN")).toBe("X"); // an unlisted person name
    expect(actionFor("00189004", "CS")).toBe("X"); // Content Qualification: not needed
    expect(actionFor("00080016", "UI")).toBe("K"); // SOP Class UID names a class
    expect(actionFor("00080060", "CS")).toBe("K"); // Modality
    expect(actionFor("00280010", "US")).toBe("K"); // Rows
    expect(actionFor("00080070", "LO")).toBe("Z"); // Manufacturer: Type 2, kept empty
    expect([...keepList.keys()].filter((t) => profileEntryFor(t))).toEqual([]);
  });

  it("lets each enabled option keep or clean exactly its column", () => {
    const opts = (o: Record<string, boolean>) => deidOptionsSchema.parse(o);
    expect(actionFor("00080020", "DA", opts({ retainLongitudinalFullDates: true }))).toBe("K");
    expect(actionFor("00080020", "DA", opts({ retainLongitudinalModifiedDates: true }))).toBe("C");
    expect(actionFor("00100030", "DA", opts({ retainLongitudinalFullDates: true }))).toBe("Z"); // birth date has no option
    expect(actionFor("00101010", "AS", opts({ retainPatientCharacteristics: true }))).toBe("K");
    expect(actionFor("00102110", "LO", opts({ retainPatientCharacteristics: true }))).toBe("C");
    expect(actionFor("00181000", "LO", opts({ retainDeviceIdentity: true }))).toBe("K");
    expect(actionFor("00080080", "LO", opts({ retainInstitutionIdentity: true }))).toBe("K");
    expect(actionFor("0020000D", "UI", opts({ retainUids: true }))).toBe("K");
    expect(actionFor("00081030", "LO", opts({ cleanDescriptors: true }))).toBe("C");
    expect(
      actionFor(
        "00100010",
        "PN",
        opts({ retainPatientCharacteristics: true, retainUids: true, cleanDescriptors: true }),
      ),
    ).toBe("Z");
    expect(actionFor("00081030", "LO", NO_DEID_OPTIONS)).toBe("X");
    expect(() =>
      deidOptionsSchema.parse({ retainLongitudinalFullDates: true, retainLongitudinalModifiedDates: true }),
    ).toThrow(/either/);
  });
});
