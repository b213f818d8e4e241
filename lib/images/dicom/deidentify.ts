import { AppError } from "../../errors/app-error";
import { keyedDigest, patientPseudonym } from "../pseudonym";
import { PROFILE_EDITION, profileEntryFor, type ProfileAction, type ProfileEntry } from "./basic-profile";
import { cleanText } from "./clean-descriptors";
import type { DicomDataset, DicomElement } from "./dcmjs";
import { dictionaryEntry } from "./dcmjs";
import { stringValue, tags } from "./dataset-values";
import { BASIC_PROFILE_CODE, NO_DEID_OPTIONS, enabledDeidOptions, type DeidOptions } from "./deid-options";
import { keepList } from "./keep-list";
import { remapUid } from "./uid-remap";

/** What is done to one element: the table's codes, K (keep) and C (clean, from an option). */
export type AppliedAction = "D" | "Z" | "X" | "K" | "U" | "C";

export const DEIDENTIFICATION_METHOD = `PS3.15 ${PROFILE_EDITION} Table E.1-1 (Tandem deidentify v2)`;

/** X/Z sequences that are Type 2 in the CR, DX or SC IODs: emptied rather than removed. */
const TYPE2_SEQUENCES = new Set(["00400555"]); // Acquisition Context Sequence (DX)

/**
 * Settles the conformance-dependent codes. Tandem keeps a research copy of CR/DX/SC images:
 * X/D → X (the attributes it names are Type 3 there); X/Z and X/Z/D → Z (an empty value is
 * conformant whether the attribute is Type 2 or 3, and holds nothing), except sequences, which
 * are removed unless Type 2; Z/D → Z; X/Z/U* is a
 * reference sequence: kept, its items cleaned and their UIDs replaced.
 */
export function resolveAction(action: ProfileAction, vr: string, tag = ""): AppliedAction {
  switch (action) {
    case "X/D":
      return "X";
    case "X/Z":
    case "X/Z/D":
      // A sequence may be empty only where it is Type 2; elsewhere an empty one is invalid.
      return vr === "SQ" && !TYPE2_SEQUENCES.has(tag) ? "X" : "Z";
    case "Z/D":
      return "Z";
    case "X/Z/U*":
      return vr === "SQ" ? "U" : "Z";
    default:
      return action;
  }
}

/** K or C when an enabled option overrides the Basic Profile for this row (K wins over C). */
export function optionAction(entry: ProfileEntry, o: DeidOptions): "K" | "C" | undefined {
  const has = (letter: string) => entry.options.includes(letter);
  const keep =
    (has("T") && o.retainLongitudinalFullDates) ||
    (has("P") && o.retainPatientCharacteristics) ||
    (has("V") && o.retainDeviceIdentity) ||
    (has("I") && o.retainInstitutionIdentity) ||
    (has("R") && o.retainUids);
  if (keep) return "K";
  const clean =
    (has("T") && o.retainLongitudinalModifiedDates) ||
    (has("p") && o.retainPatientCharacteristics) ||
    (has("C") && o.cleanDescriptors);
  return clean ? "C" : undefined;
}

/** The table row (with the project's options), else the keep-list, else removal. */
export function actionFor(tag: string, vr: string, options: DeidOptions = NO_DEID_OPTIONS): AppliedAction {
  // Command (0000) and file meta (0002) elements do not belong in a stored data set: the file
  // meta group is rebuilt by writeDicomFile (with the new SOP Instance UID, the table's U).
  if (tag.startsWith("0000") || tag.startsWith("0002")) return "X";
  const entry = profileEntryFor(tag);
  if (entry) return optionAction(entry, options) ?? resolveAction(entry.action, vr, tag);
  return keepList.get(tag) ?? "X";
}

const dummyText: Record<string, string> = { DA: "19000101", TM: "000000", DT: "19000101000000", AS: "000Y" };

function dummyValue(vr: string): unknown[] {
  switch (vr) {
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

interface Context {
  key: string;
  options: DeidOptions;
  /** Days added to every date under the Modified Dates option (negative: earlier). */
  shiftDays: number;
}

const label = (tag: string) =>
  `${dictionaryEntry(tag)?.name.replace(/^RETIRED_/, "") ?? "attribute"} (${tag.slice(0, 4)},${tag.slice(4)})`;

function refuse(tag: string, why: string): never {
  throw new AppError("BAD_REQUEST", `The file cannot be fully de-identified: ${label(tag)} ${why}; it was not stored`);
}

function cleanItems(tag: string, el: DicomElement, ctx: Context): DicomDataset[] {
  const values = el.Value ?? [];
  if (
    !Array.isArray(values) ||
    values.some((v) => typeof v !== "object" || v === null || v instanceof ArrayBuffer || ArrayBuffer.isView(v))
  ) {
    refuse(tag, "is a sequence whose items could not be parsed");
  }
  return (values as DicomDataset[]).map((item) => cleanDataset(item, ctx));
}

function remapValues(tag: string, el: DicomElement, ctx: Context): DicomElement {
  const values = el.Value ?? [];
  if (values.some((v) => typeof v !== "string")) refuse(tag, "holds a UID that could not be read as text");
  return { vr: el.vr, Value: values.map((v) => remapUid(ctx.key, v as string)) };
}

function shiftDate(yyyymmdd: string, days: number): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(yyyymmdd);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + days * 86_400_000;
  if (!Number.isFinite(t)) return undefined;
  return new Date(t).toISOString().slice(0, 10).replace(/-/g, "");
}

/** The C action: dates shifted, times kept (Modified Dates); text reduced to safe words; sequences cleaned. */
function clean(tag: string, el: DicomElement, ctx: Context): DicomElement | undefined {
  const values = el.Value ?? [];
  switch (el.vr) {
    case "SQ":
      return { vr: el.vr, Value: cleanItems(tag, el, ctx) };
    case "DA":
      if (!ctx.options.retainLongitudinalModifiedDates) return { vr: el.vr, Value: [] };
      // A range ("20200101-20200301") shifts both ends; anything unreadable becomes empty.
      return {
        vr: el.vr,
        Value: values.map((v) =>
          String(v ?? "")
            .trim()
            .split("-")
            .map((d) => (d ? (shiftDate(d, ctx.shiftDays) ?? "") : ""))
            .join("-"),
        ),
      };
    case "DT":
      if (!ctx.options.retainLongitudinalModifiedDates) return { vr: el.vr, Value: [] };
      // The first date-time only (date shifted, time and UTC offset kept); a range's second half is dropped.
      return {
        vr: el.vr,
        Value: values.map((v) => {
          const m = /^(\d{8})(\d{0,6}(?:\.\d{1,6})?)([+-]\d{4})?/.exec(String(v ?? "").trim());
          const shifted = m ? shiftDate(m[1], ctx.shiftDays) : undefined;
          return m && shifted ? shifted + m[2] + (m[3] ?? "") : "";
        }),
      };
    case "TM":
      return ctx.options.retainLongitudinalModifiedDates ? { ...el } : { vr: el.vr, Value: [] };
    case "LO":
    case "SH":
    case "ST":
    case "LT":
    case "UT":
    case "UC":
    case "CS": {
      const kept = values.map((v) => cleanText(String(v ?? ""))).filter((v) => v !== "");
      return { vr: el.vr, Value: kept };
    }
    default:
      return { vr: el.vr, Value: [] };
  }
}

function applyAction(action: AppliedAction, tag: string, el: DicomElement, ctx: Context): DicomElement | undefined {
  switch (action) {
    case "X":
      return undefined;
    case "Z":
      return { vr: el.vr, Value: [] };
    case "C":
      return clean(tag, el, ctx);
    case "D":
      if (el.vr === "SQ") {
        const items = cleanItems(tag, el, ctx);
        return { vr: el.vr, Value: items.length ? items : [{}] };
      }
      if (el.vr === "UI") return remapValues(tag, el, ctx); // a dummy UID would merge distinct instances
      return { vr: el.vr, Value: dummyValue(el.vr) };
    case "U":
      if (el.vr === "SQ") return { vr: el.vr, Value: cleanItems(tag, el, ctx) };
      return remapValues(tag, el, ctx);
    case "K":
      if (el.vr === "SQ") return { vr: el.vr, Value: cleanItems(tag, el, ctx) };
      if (el.vr === "UN" && (el.Value ?? []).length > 0) refuse(tag, "has a value of unknown representation (UN)");
      return { ...el };
  }
}

/** Applies the table, the options and the keep-list to one data set and every item it keeps. */
function cleanDataset(ds: DicomDataset, ctx: Context): DicomDataset {
  const out: DicomDataset = {};
  for (const [rawTag, el] of Object.entries(ds)) {
    const tag = rawTag.toUpperCase();
    const cleaned = applyAction(actionFor(tag, el.vr, ctx.options), tag, el, ctx);
    if (cleaned) out[rawTag] = cleaned;
  }
  return out;
}

export interface Deidentified {
  dataset: DicomDataset;
  patientPseudonym?: string;
}

/** A stable per-patient shift of 1 to 3650 days back, so intervals between a patient's studies survive. */
function dateShiftDays(key: string, patientId: string | undefined): number {
  const digest = keyedDigest(key, "date-shift", patientId ?? "");
  return -(1 + (digest.readUInt32BE(0) % 3650));
}

function methodCodeSequence(options: DeidOptions): DicomDataset[] {
  const codes = [BASIC_PROFILE_CODE, ...enabledDeidOptions(options)];
  return codes.map((c) => ({
    "00080100": { vr: "SH", Value: [c.code] },
    "00080102": { vr: "SH", Value: ["DCM"] },
    "00080104": { vr: "LO", Value: [c.meaning] },
  }));
}

/**
 * The whole top-level data set: the table (with the project's options), the keep-list, then
 * the markers of PS3.15 E.1 — Patient Identity Removed, the method and its codes (113100 and
 * one per enabled option), what happened to dates, and the keyed pseudonym as Patient ID (the
 * D of the table's Z/D, so the stored file still groups by patient).
 */
export function deidentifyDataset(ds: DicomDataset, key: string, options: DeidOptions = NO_DEID_OPTIONS): Deidentified {
  const originalPatientId = stringValue(ds, tags.PatientID);
  const pseudonym = originalPatientId === undefined ? undefined : patientPseudonym(key, originalPatientId);
  const ctx: Context = { key, options, shiftDays: dateShiftDays(key, originalPatientId) };
  const dataset = cleanDataset(ds, ctx);
  // Ethics Committee Name is Type 1C, required only with the Approval Number the table removes:
  // left alone it would make the file non-conformant, so it goes too.
  if (!dataset["00120082"]) delete dataset["00120081"];
  dataset[tags.PatientID] = { vr: "LO", Value: pseudonym ? [pseudonym] : [] };
  dataset["00120062"] = { vr: "CS", Value: ["YES"] };
  dataset["00120063"] = {
    vr: "LO",
    Value: [DEIDENTIFICATION_METHOD, ...enabledDeidOptions(options).map((o) => o.meaning)],
  };
  dataset["00120064"] = { vr: "SQ", Value: methodCodeSequence(options) };
  dataset["00280303"] = {
    vr: "CS",
    Value: [
      options.retainLongitudinalFullDates
        ? "UNMODIFIED"
        : options.retainLongitudinalModifiedDates
          ? "MODIFIED"
          : "REMOVED",
    ],
  };
  return { dataset, patientPseudonym: pseudonym };
}
