// dcmjs ships no type declarations; this file is the only place that touches it untyped.
// @ts-expect-error
import dcmjsModule from "dcmjs";

export interface DicomElement {
  vr: string;
  Value?: unknown[];
  _rawValue?: unknown;
}
/** Denaturalized data set: 8-hex-digit tag ("00100010") → element. Sequence items are data sets. */
export type DicomDataset = Record<string, DicomElement>;

export interface DicomDictLike {
  meta: DicomDataset;
  dict: DicomDataset;
  write(options?: { allowInvalidVRLength?: boolean; fragmentMultiframe?: boolean }): ArrayBuffer;
}

interface DcmjsSubset {
  log: { getLogger(name: string): { setLevel(level: string): void } };
  data: {
    DicomMessage: { readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): DicomDictLike };
    DicomDict: new (meta: DicomDataset) => DicomDictLike;
    DicomMetaDictionary: { dictionary: Record<string, { vr: string; name: string } | undefined> };
  };
}

const dcmjs = dcmjsModule as DcmjsSubset;
// Its validation logger prints VR coercions (e.g. "xs" → US) that are expected for implicit VR input.
dcmjs.log.getLogger("validation.dcmjs").setLevel("silent");

export const DicomMessage = dcmjs.data.DicomMessage;
export const DicomDict = dcmjs.data.DicomDict;

/** Public dictionary entry for "GGGGEEEE", if dcmjs knows the tag. */
export function dictionaryEntry(tag: string): { vr: string; name: string } | undefined {
  return dcmjs.data.DicomMetaDictionary.dictionary[`(${tag.slice(0, 4)},${tag.slice(4, 8)})`.toUpperCase()];
}
