import { describe, expect, it } from "vitest";
import { basicProfile, classUidTags } from "@/lib/images/dicom/basic-profile";
import { dictionaryEntry } from "@/lib/images/dicom/dcmjs";
import { actionFor, resolveAction } from "@/lib/images/dicom/deidentify";

describe("Basic Profile table (PS3.15 E.1-1)", () => {
  it("is data with well over 150 rows of valid, unique tags", () => {
    expect(basicProfile.size).toBeGreaterThan(400);
    for (const tag of basicProfile.keys()) expect(tag).toMatch(/^[0-9A-F]{8}$/);
  });

  it("names each tag with the keyword the DICOM dictionary uses", () => {
    const mismatches: string[] = [];
    for (const { tag, keyword } of basicProfile.values()) {
      const entry = dictionaryEntry(tag);
      if (entry && entry.name.replace(/^RETIRED_/, "") !== keyword) mismatches.push(`${tag} ${keyword} ≠ ${entry.name}`);
    }
    expect(mismatches).toEqual([]);
  });

  it("covers the attributes the ingest issue names", () => {
    const required = [
      "PatientName", "PatientID", "PatientBirthDate", "PatientSex", "OtherPatientIDs", "OtherPatientIDsSequence",
      "OtherPatientNames", "PatientAddress", "PatientTelephoneNumbers", "PatientMotherBirthName", "MedicalRecordLocator",
      "AccessionNumber", "InstitutionName", "InstitutionAddress", "InstitutionalDepartmentName", "ReferringPhysicianName",
      "ReferringPhysicianAddress", "ReferringPhysicianTelephoneNumbers", "PhysiciansOfRecord", "PerformingPhysicianName",
      "NameOfPhysiciansReadingStudy", "OperatorsName", "StudyID", "StudyDate", "StudyTime", "SeriesDate", "AcquisitionDate",
      "ContentDate", "StationName", "DeviceSerialNumber", "RequestingPhysician", "StudyDescription", "StudyInstanceUID",
      "SeriesInstanceUID", "SOPInstanceUID", "FrameOfReferenceUID", "MediaStorageSOPInstanceUID", "ReferencedSOPInstanceUID",
    ];
    const keywords = new Set([...basicProfile.values()].map((e) => e.keyword));
    expect(required.filter((k) => !keywords.has(k))).toEqual([]);
  });

  it("uses the table's codes for the usual suspects", () => {
    const code = (keyword: string) => [...basicProfile.values()].find((e) => e.keyword === keyword)?.action;
    expect(code("PatientName")).toBe("Z");
    expect(code("PatientSex")).toBe("Z");
    expect(code("PatientBirthDate")).toBe("Z");
    expect(code("StudyDescription")).toBe("X");
    expect(code("OperatorsName")).toBe("X/Z/D");
    expect(code("StudyInstanceUID")).toBe("U");
  });

  it("resolves conformance-dependent codes towards removal", () => {
    expect(resolveAction("X/Z/D", "PN")).toBe("X");
    expect(resolveAction("X/D", "DA")).toBe("X");
    expect(resolveAction("Z/D", "DA")).toBe("Z");
    expect(resolveAction("X/Z/U", "SQ")).toBe("U");
    expect(resolveAction("C", "LO")).toBe("Z");
  });

  it("decides unlisted attributes by group and VR", () => {
    expect(actionFor("00091010", "LO")).toBe("X"); // private
    expect(actionFor("60003000", "OW")).toBe("X"); // overlay data
    expect(actionFor("50000010", "US")).toBe("X"); // curve
    expect(actionFor("00400A0B", "UI")).toBe("U"); // an unlisted instance UID is still remapped
    expect(actionFor("00080016", "UI")).toBe("K"); // SOP Class UID names a class
    expect(actionFor("00081150", "UI")).toBe("K");
    expect(actionFor("00321034", "PN")).toBe("Z"); // an unlisted person name
    expect(actionFor("00080060", "CS")).toBe("K"); // Modality
    expect([...classUidTags].every((t) => !basicProfile.has(t))).toBe(true);
  });
});
