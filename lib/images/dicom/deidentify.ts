import { patientPseudonym } from "../pseudonym";
import { basicProfile, classUidTags, type ProfileAction } from "./basic-profile";
import type { DicomDataset, DicomElement } from "./dcmjs";
import { stringValue, tags } from "./dataset-values";
import { remapUid } from "./uid-remap";

export type AppliedAction = "D" | "Z" | "X" | "K" | "U";

export const DEIDENTIFICATION_METHOD = "PS3.15 E.1-1 Basic Profile (Tandem deidentify v1)";

/**
 * Collapses the conformance-dependent codes. Tandem keeps a research copy, not a PACS
 * object, so where the table allows removal it removes (X/Z, X/D, X/Z/D → X; Z/D → Z).
 * X/Z/U rows are reference sequences: kept, with their UIDs remapped and their items cleaned.
 * C (clean) appears only in option columns and is treated as Z.
 */
export function resolveAction(action: ProfileAction, vr: string): AppliedAction {
  switch (action) {
    case "X/Z":
    case "X/D":
    case "X/Z/D":
      return "X";
    case "Z/D":
    case "C":
      return "Z";
    case "X/Z/U":
      return vr === "SQ" ? "U" : "X";
    default:
      return action;
  }
}

/** Attributes the table does not list: decided by group and VR, erring on removal. */
function ruleFor(tag: string, vr: string): AppliedAction {
  const group = parseInt(tag.slice(0, 4), 16);
  if (group % 2 === 1) return "X"; // private groups, creators included
  if (group === 0x0000 || group === 0x0002) return "X"; // command group; file meta is rebuilt separately
  if ((group & 0xff00) === 0x5000 || (group & 0xff00) === 0x6000) return "X"; // curves, overlays
  if (group === 0xfffa || group === 0xfffc) return "X";
  if (vr === "UI") return classUidTags.has(tag) ? "K" : "U";
  if (vr === "PN") return "Z"; // a person's name the table does not list is still a name
  if (vr === "UN") return "X"; // content of unknown meaning cannot be vouched for
  return "K";
}

export function actionFor(tag: string, vr: string): AppliedAction {
  const entry = basicProfile.get(tag);
  return entry ? resolveAction(entry.action, vr) : ruleFor(tag, vr);
}

const dummyText: Record<string, string> = {
  DA: "19000101",
  TM: "000000",
  DT: "19000101000000",
  AS: "000Y",
};

function dummyValue(vr: string): unknown[] {
  switch (vr) {
    case "SQ":
      return [{}];
    case "PN":
      return [{ Alphabetic: "ANONYMIZED" }];
    case "DS":
    case "IS":
    case "US":
    case "SS":
    case "UL":
    case "SL":
    case "FL":
    case "FD":
    case "SV":
    case "UV":
    case "AT":
      return [0];
    case "OB":
    case "OW":
    case "OD":
    case "OF":
    case "OL":
    case "OV":
    case "UN":
      return [new ArrayBuffer(2)];
    default:
      return [dummyText[vr] ?? "ANONYMIZED"];
  }
}

function cleanItems(values: unknown[] | undefined, key: string): DicomDataset[] {
  return (values ?? []).filter((v): v is DicomDataset => typeof v === "object" && v !== null).map((item) => cleanDataset(item, key));
}

function remapValues(el: DicomElement, key: string): DicomElement {
  return { vr: el.vr, Value: (el.Value ?? []).map((v) => (typeof v === "string" ? remapUid(key, v) : "")) };
}

function applyAction(action: AppliedAction, el: DicomElement, key: string): DicomElement | undefined {
  switch (action) {
    case "X":
      return undefined;
    case "Z":
      return { vr: el.vr, Value: [] };
    case "D":
      if (el.vr !== "UI") return { vr: el.vr, Value: dummyValue(el.vr) };
      return remapValues(el, key); // a dummy UID would merge distinct instances; a remapped one does not
    case "U":
      if (el.vr === "SQ") return { vr: el.vr, Value: cleanItems(el.Value, key) };
      return remapValues(el, key);
    case "K":
      return el.vr === "SQ" ? { vr: el.vr, Value: cleanItems(el.Value, key) } : { ...el };
  }
}

/** Applies the profile to one data set and, recursively, to every sequence item it keeps. */
export function cleanDataset(ds: DicomDataset, key: string): DicomDataset {
  const out: DicomDataset = {};
  for (const [tag, el] of Object.entries(ds)) {
    const cleaned = applyAction(actionFor(tag.toUpperCase(), el.vr), el, key);
    if (cleaned) out[tag] = cleaned;
  }
  return out;
}

export interface Deidentified {
  dataset: DicomDataset;
  patientPseudonym?: string;
}

/**
 * The whole top-level data set: the table, then the markers of PS3.15 E.1 — Patient Identity
 * Removed, the method used, and the keyed pseudonym as Patient ID (a D-style replacement of
 * the table's Z, so the stored file still groups by patient).
 */
export function deidentifyDataset(ds: DicomDataset, key: string): Deidentified {
  const originalPatientId = stringValue(ds, tags.PatientID);
  const pseudonym = originalPatientId === undefined ? undefined : patientPseudonym(key, originalPatientId);
  const dataset = cleanDataset(ds, key);
  dataset[tags.PatientID] = { vr: "LO", Value: pseudonym ? [pseudonym] : [] };
  dataset["00120062"] = { vr: "CS", Value: ["YES"] };
  dataset["00120063"] = { vr: "LO", Value: [DEIDENTIFICATION_METHOD] };
  dataset["00120064"] = {
    vr: "SQ",
    Value: [
      {
        "00080100": { vr: "SH", Value: ["113100"] },
        "00080102": { vr: "SH", Value: ["DCM"] },
        "00080104": { vr: "LO", Value: ["Basic Application Confidentiality Profile"] },
      },
    ],
  };
  dataset["00280303"] = { vr: "CS", Value: ["REMOVED"] }; // dates were emptied or removed
  return { dataset, patientPseudonym: pseudonym };
}
