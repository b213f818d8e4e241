import { describe, expect, it } from "vitest";
import { parseCsv } from "../../lib/imports/csv-parse";
import { mapLabel } from "../../lib/imports/label-mapping";
import { metadataFor, parseMetadataCsv } from "../../lib/imports/metadata-csv";
import { looksLikePhiColumn } from "../../lib/imports/phi-columns";
import { patientPseudonym } from "../../lib/images/pseudonym";

const KEY = "metadata-test-key-0123456789abcdef";

describe("CSV parsing", () => {
  it("reads quoted fields with delimiters, doubled quotes and line breaks; CRLF; BOM; blank lines", () => {
    const text = '\ufefffile,note\r\n"a,b.png","said ""hi""\nthen left"\r\n\r\nc.png,plain\n';
    expect(parseCsv(text)).toEqual([
      ["file", "note"],
      ["a,b.png", 'said "hi"\nthen left'],
      ["c.png", "plain"],
    ]);
  });

  it("detects semicolons and tabs", () => {
    expect(parseCsv("file;label\nx.png;covid")).toEqual([
      ["file", "label"],
      ["x.png", "covid"],
    ]);
    expect(parseCsv("file\tlabel\nx.png\tnormal\n")).toEqual([
      ["file", "label"],
      ["x.png", "normal"],
    ]);
  });

  it("keeps empty fields and refuses an unterminated quote", () => {
    expect(parseCsv("a,,c\n,,\n")).toEqual([
      ["a", "", "c"],
      ["", "", ""],
    ]);
    expect(() => parseCsv('a,"open\n')).toThrow(/closing quote/);
  });
});

describe("label spellings", () => {
  it.each([
    ["COVID-19", "COVID"],
    ["covid", "COVID"],
    ["Positive", "COVID"],
    ["SARS-CoV-2", "COVID"],
    ["covid19 positive", "COVID"],
    ["normal", "CONTROL"],
    ["Control", "CONTROL"],
    ["negative", "CONTROL"],
    ["Non-COVID", "CONTROL"],
    ["COVID negative", "CONTROL"],
    ["Viral Pneumonia", "CONTROL"],
    ["Lung_Opacity", "CONTROL"],
    ["tuberculosis", "CONTROL"],
    ["", "UNKNOWN"],
    ["unknown", "UNKNOWN"],
    ["N/A", "UNKNOWN"],
  ])("%s → %s", (raw, label) => {
    expect(mapLabel(raw)).toBe(label);
  });
});

describe("PHI-looking columns", () => {
  it.each([
    "Patient Name",
    "name",
    "DOB",
    "birth_date",
    "Home Address",
    "phone",
    "MRN",
    "email",
    "Study Date",
    "SSN",
    "Referring Physician",
    "zip",
  ])("%s is dropped", (h) => {
    expect(looksLikePhiColumn(h)).toBe(true);
  });
  it.each(["age", "sex", "scanner", "severity", "notes", "site_code"])("%s is kept", (h) => {
    expect(looksLikePhiColumn(h)).toBe(false);
  });
});

describe("metadata CSV", () => {
  const csv = [
    "File Name,Patient ID,Class,Dataset,View,Patient Name,DOB,Scanner,Severity",
    "covid/a.png,RAW-PATIENT-001,COVID-19,qata,PA,Alice Example,1970-01-01,X1,3",
    "b.png,RAW-PATIENT-002,normal,qata,AP,Bob Example,1980-02-02,X2,",
    "c,P-ABCDEFGHIJKLMNOP,pneumonia,,,,,,",
    "dup.png,RAW-PATIENT-003,covid,,,,,,",
    "other/dup.png,RAW-PATIENT-004,covid,,,,,,",
    ",RAW-PATIENT-005,covid,,,,,,",
  ].join("\n");
  const meta = parseMetadataCsv(csv, KEY);

  it("assigns roles, keeps other columns as tags and drops PHI columns unread", () => {
    expect(meta.summary.fileColumn).toBe("File Name");
    expect(meta.summary.roles).toEqual({ patient: "Patient ID", label: "Class", source: "Dataset", view: "View" });
    expect(meta.summary.droppedColumns).toEqual(["Patient Name", "DOB"]);
    expect(meta.summary.tagColumns).toEqual(["Scanner", "Severity"]);
    const text = JSON.stringify(meta);
    for (const phi of ["Alice", "Bob", "1970-01-01", "1980-02-02", "RAW-PATIENT"]) expect(text).not.toContain(phi);
  });

  it("turns raw patient ids into keyed pseudonyms and keeps ready pseudonyms", () => {
    const a = metadataFor(meta, "covid/a.png")!.row;
    expect(a).toEqual({
      patientPseudonym: patientPseudonym(KEY, "RAW-PATIENT-001"),
      label: "COVID",
      sourceDataset: "qata",
      view: "PA",
      tags: { Scanner: "X1", Severity: "3" },
    });
    expect(metadataFor(meta, "c.jpg")!.row.patientPseudonym).toBe("P-ABCDEFGHIJKLMNOP");
    expect(metadataFor(meta, "c.jpg")!.row.label).toBe("CONTROL");
    expect(meta.summary.labelMapping).toMatchObject({ "COVID-19": "COVID", normal: "CONTROL", pneumonia: "CONTROL" });
  });

  it("matches by path, then base name, then stem; a name listed twice matches only by its full path", () => {
    expect(metadataFor(meta, "somewhere/B.PNG")!.row.view).toBe("AP");
    expect(metadataFor(meta, "a.png")!.row.view).toBe("PA");
    expect(metadataFor(meta, "x/dup.png")).toBeUndefined();
    expect(metadataFor(meta, "other/dup.png")!.row.patientPseudonym).toBe(patientPseudonym(KEY, "RAW-PATIENT-004"));
    expect(metadataFor(meta, "missing.png")).toBeUndefined();
    expect(metadataFor(meta, "b.jpg")).toBeUndefined(); // "b.png" names a PNG, not any "b"
    expect(meta.summary.warnings.join(" ")).toMatch(/1 row without a file name/);
  });

  it("refuses a CSV without a file column", () => {
    expect(() => parseMetadataCsv("patient,label\n1,covid", KEY)).toThrow(/file name column/);
  });

  it("refuses a CSV without the required label column, naming it", () => {
    expect(() => parseMetadataCsv("filename,patient_id,view\na.png,RAW-1,PA", KEY)).toThrow(
      /lacks the required column "label"/,
    );
  });
});
