import { basicProfile } from "@/lib/images/dicom/basic-profile";
import { DicomDict, dictionaryEntry, type DicomDataset } from "@/lib/images/dicom/dcmjs";

export const EXPLICIT = "1.2.840.10008.1.2.1";
export const IMPLICIT = "1.2.840.10008.1.2";
export const RLE = "1.2.840.10008.1.2.5";
export const DX_CLASS = "1.2.840.10008.5.1.4.1.1.1.1"; // Digital X-Ray Image Storage – For Presentation
export const SC_CLASS = "1.2.840.10008.5.1.4.1.1.7";

export interface ImageSpec {
  rows: number;
  columns: number;
  bitsAllocated?: 8 | 16;
  bitsStored?: number;
  signed?: boolean;
  photometric?: "MONOCHROME1" | "MONOCHROME2" | "RGB";
  frames?: number;
}

export function imageModule(spec: ImageSpec): DicomDataset {
  const bitsAllocated = spec.bitsAllocated ?? 16;
  const bitsStored = spec.bitsStored ?? bitsAllocated;
  const rgb = spec.photometric === "RGB";
  const ds: DicomDataset = {
    "00280002": { vr: "US", Value: [rgb ? 3 : 1] },
    "00280004": { vr: "CS", Value: [spec.photometric ?? "MONOCHROME2"] },
    "00280010": { vr: "US", Value: [spec.rows] },
    "00280011": { vr: "US", Value: [spec.columns] },
    "00280100": { vr: "US", Value: [bitsAllocated] },
    "00280101": { vr: "US", Value: [bitsStored] },
    "00280102": { vr: "US", Value: [bitsStored - 1] },
    "00280103": { vr: "US", Value: [spec.signed ? 1 : 0] },
  };
  if (rgb) ds["00280006"] = { vr: "US", Value: [0] };
  if (spec.frames && spec.frames > 1) ds["00280008"] = { vr: "IS", Value: [spec.frames] };
  return ds;
}

/** Little-endian native pixel bytes from sample values. */
export function nativePixels(samples: ArrayLike<number>, bitsAllocated: 8 | 16): Buffer {
  if (bitsAllocated === 8) return Buffer.from(Uint8Array.from(samples as ArrayLike<number>, (v) => v & 0xff));
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeUInt16LE(samples[i] & 0xffff, 2 * i);
  return out;
}

export interface BuildOptions {
  transferSyntaxUid?: string;
  sopClassUid?: string;
  sopInstanceUid?: string;
  /** Extra file meta elements (e.g. a Source AE Title carrying PHI). */
  meta?: DicomDataset;
  /** Raw 128-byte preamble content. */
  preamble?: Buffer;
  /** Native: one buffer; RLE: one buffer per frame. */
  pixelData?: Buffer | Buffer[];
}

const toArrayBuffer = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

export function buildDicom(dataset: DicomDataset, opts: BuildOptions = {}): Buffer {
  const ts = opts.transferSyntaxUid ?? EXPLICIT;
  const sopClass = opts.sopClassUid ?? DX_CLASS;
  const sopInstance = opts.sopInstanceUid ?? "1.2.826.0.1.3680043.10.543.1";
  const dict = new DicomDict({
    "00020001": { vr: "OB", Value: [new Uint8Array([0, 1]).buffer] },
    "00020002": { vr: "UI", Value: [sopClass] },
    "00020003": { vr: "UI", Value: [sopInstance] },
    "00020010": { vr: "UI", Value: [ts] },
    "00020012": { vr: "UI", Value: ["1.2.826.0.1.3680043.10.543.999"] },
    ...opts.meta,
  });
  const full: DicomDataset = {
    "00080016": { vr: "UI", Value: [sopClass] },
    "00080018": { vr: "UI", Value: [sopInstance] },
    ...dataset,
  };
  if (opts.pixelData) {
    const frames = Array.isArray(opts.pixelData) ? opts.pixelData : [opts.pixelData];
    const wide = Number(full["00280100"]?.Value?.[0] ?? 8) > 8 && ts !== RLE;
    full["7FE00010"] = { vr: wide ? "OW" : "OB", Value: frames.map(toArrayBuffer) };
  }
  dict.dict = full;
  const bytes = Buffer.from(dict.write({ fragmentMultiframe: false }));
  if (opts.preamble) opts.preamble.copy(bytes, 0, 0, Math.min(128, opts.preamble.length));
  return bytes;
}

function packBits(bytes: Uint8Array): Buffer {
  const out: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    let j = i + 1;
    while (j < bytes.length && j - i < 128 && bytes[j] === bytes[i]) j++;
    if (j - i >= 2) {
      out.push((1 - (j - i)) & 0xff, bytes[i]);
      i = j;
      continue;
    }
    const start = i;
    while (i < bytes.length && i - start < 128 && !(i + 1 < bytes.length && bytes[i] === bytes[i + 1])) i++;
    if (i === start) i++;
    out.push(i - start - 1, ...bytes.subarray(start, i));
  }
  if (out.length % 2 === 1) out.push(0x80); // no-op byte keeps segments even
  return Buffer.from(out);
}

/** RLE Lossless encoder (PS3.5 Annex G) for native little-endian interleaved frame bytes. */
export function encodeRleFrame(native: Buffer, samplesPerPixel: number, bitsAllocated: 8 | 16): Buffer {
  const bps = bitsAllocated / 8;
  const segCount = samplesPerPixel * bps;
  const pixels = native.length / segCount;
  const segments: Buffer[] = [];
  for (let s = 0; s < segCount; s++) {
    const sample = Math.floor(s / bps);
    const byteInSample = bps - 1 - (s % bps);
    const plane = new Uint8Array(pixels);
    for (let p = 0; p < pixels; p++) plane[p] = native[(p * samplesPerPixel + sample) * bps + byteInSample];
    segments.push(packBits(plane));
  }
  const header = Buffer.alloc(64);
  header.writeUInt32LE(segCount, 0);
  let offset = 64;
  segments.forEach((seg, s) => {
    header.writeUInt32LE(offset, 4 + 4 * s);
    offset += seg.length;
  });
  return Buffer.concat([header, ...segments]);
}

export interface PhiFixture {
  dataset: DicomDataset;
  /** ASCII strings that must never appear in anything Tandem outputs. */
  markers: string[];
  /** Original UIDs that must never appear either. */
  uids: string[];
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

function normaliseVr(vr: string | undefined): string {
  if (!vr || !/^[A-Z]{2}$/.test(vr)) return "OB";
  return vr;
}

/**
 * One element per Basic Profile row, each holding a unique marker (or a unique UID, date or
 * number where the VR allows no text); sequences hold an item with a name, a private element,
 * an institution and a UID of their own. label ("A", "B"…) keeps two files' markers apart.
 */
export function phiDataset(label: string): PhiFixture {
  const dataset: DicomDataset = {};
  const markers: string[] = [];
  const uids: string[] = [];
  const digit = label.charCodeAt(0) - 64;
  let i = 0;
  for (const { tag, keyword } of basicProfile.values()) {
    i++;
    if (tag.startsWith("0002")) continue; // file meta, set by buildDicom
    const vr = normaliseVr(dictionaryEntry(tag)?.vr);
    const text = `PHI-${keyword}-${label}`;
    switch (vr) {
      case "SQ": {
        const nestedUid = `1.2.826.0.1.3680043.10.543.${digit}.${i}.77`;
        const nested = {
          name: `PHI-nested-name-${i}-${label}`,
          priv: `PHI-nested-private-${i}-${label}`,
          inst: `PHI-nested-institution-${i}-${label}`,
        };
        const deepUid = `1.2.826.0.1.3680043.10.543.${digit}.${i}.771`;
        const deep = {
          name: `PHI-deep-name-${i}-${label}`,
          date: `17${pad(i % 100, 2)}0202`,
          text: `PHI-deep-text-${i}-${label}`,
        };
        dataset[tag] = {
          vr,
          Value: [
            {
              "00080080": { vr: "LO", Value: [nested.inst] },
              "00081155": { vr: "UI", Value: [nestedUid] },
              "00090010": { vr: "LO", Value: ["PHI CREATOR"] },
              "00091001": { vr: "LO", Value: [nested.priv] },
              "00100010": { vr: "PN", Value: [{ Alphabetic: nested.name }] },
              // A kept reference sequence one level down, itself holding PHI: cleaned at every depth.
              "00081140": {
                vr: "SQ",
                Value: [
                  {
                    "00081155": { vr: "UI", Value: [deepUid] },
                    "00080020": { vr: "DA", Value: [deep.date] },
                    "0040A160": { vr: "UT", Value: [deep.text] },
                    "00100010": { vr: "PN", Value: [{ Alphabetic: deep.name }] },
                  },
                ],
              },
            },
          ],
        };
        markers.push(nested.name, nested.priv, nested.inst, deep.name, deep.date, deep.text);
        uids.push(nestedUid, deepUid);
        break;
      }
      case "PN":
        dataset[tag] = { vr, Value: [{ Alphabetic: text }] };
        markers.push(text);
        break;
      case "AE":
      case "CS":
      case "SH": {
        const short = `PHI${tag}${label}`;
        dataset[tag] = { vr, Value: [short] };
        markers.push(short);
        break;
      }
      case "LO":
      case "LT":
      case "ST":
      case "UT":
      case "UC":
        dataset[tag] = { vr, Value: [text] };
        markers.push(text);
        break;
      case "UR":
        dataset[tag] = { vr, Value: [`http://phi.example/${text}`] };
        markers.push(text);
        break;
      case "UI": {
        const uid = `1.2.826.0.1.3680043.10.543.${digit}.${i}`;
        dataset[tag] = { vr, Value: [uid] };
        uids.push(uid);
        break;
      }
      case "DA": {
        // Several encodings: a plain date, a second value, and (every third row) a date range.
        const date = `18${pad(i % 100, 2)}${pad(1 + (i % 12), 2)}${pad(1 + (i % 28), 2)}`;
        const second = `16${pad(i % 100, 2)}${pad(1 + (i % 12), 2)}${pad(1 + (i % 28), 2)}`;
        dataset[tag] = { vr, Value: i % 3 === 0 ? [`${date}-${second}`] : [date, second] };
        markers.push(date, second);
        break;
      }
      case "TM": {
        // HHMMSS.FFFFFF, HHMM and the ACR-NEMA HH:MM:SS form.
        const time = `2359${pad(i % 60, 2)}.${digit}${pad(i, 5)}`;
        const colon = `23:${pad(i % 60, 2)}:${pad((i * 7) % 60, 2)}`;
        dataset[tag] = { vr, Value: i % 2 ? [time, colon] : [time] };
        markers.push(time);
        if (i % 2) markers.push(colon);
        break;
      }
      case "DT": {
        // With fraction, and with a UTC offset.
        const dt = `18990101235959.${digit}${pad(i, 5)}`;
        const zoned = `1898${pad(1 + (i % 12), 2)}${pad(1 + (i % 28), 2)}1200+0${digit}00`;
        dataset[tag] = { vr, Value: [dt, zoned] };
        markers.push(dt, zoned);
        break;
      }
      case "AS":
        dataset[tag] = { vr, Value: ["077Y"] };
        markers.push("077Y");
        break;
      case "DS": {
        const ds = `${digit}77${pad(i, 3)}.25`;
        dataset[tag] = { vr, Value: [ds] };
        markers.push(ds);
        break;
      }
      case "IS": {
        const is = `${digit}88${pad(i, 3)}`;
        dataset[tag] = { vr, Value: [is] };
        markers.push(is);
        break;
      }
      case "OB":
      case "OW":
      case "OD":
      case "OF":
      case "OL":
      case "OV":
      case "UN": {
        const bytes = Buffer.from(text.length % 2 ? `${text} ` : text, "latin1");
        dataset[tag] = { vr: vr === "UN" ? "UN" : "OB", Value: [toArrayBuffer(bytes)] };
        markers.push(text);
        break;
      }
      default:
        // Binary numbers (US, UL, FD…) cannot carry a searchable marker; the structural test covers them.
        dataset[tag] = { vr, Value: [7731] };
    }
  }
  const extras: Array<[string, string, string]> = [
    ["00090010", "LO", `PHI-private-creator-${label}`],
    ["00091010", "LO", `PHI-private-element-${label}`],
    ["00190010", "LO", `PHI-second-private-creator-${label}`],
    ["00191001", "UT", `PHI-second-private-block-${label}`],
    ["00191002", "OB", `PHI-private-binary-${label}`],
    ["00291020", "LT", `PHI-private-odd-group-${label}`],
    ["00081090", "LO", `PHI-not-in-table-${label}`], // Manufacturer's Model Name: not in the table nor kept
    ["50003000", "OB", `PHI-curve-data-${label}`],
    ["60004000", "LT", `PHI-overlay-comment-${label}`],
    ["60003000", "OB", `PHI-overlay-data-${label}`],
  ];
  for (const [tag, vr, text] of extras) {
    const value = vr === "OB" ? toArrayBuffer(Buffer.from(text.length % 2 ? `${text} ` : text)) : text;
    dataset[tag] = { vr, Value: [value] };
    markers.push(text);
  }
  // A private sequence whose item carries a name and a UID of the table.
  const privateUid = `1.2.826.0.1.3680043.10.543.${digit}.999.1`;
  dataset["00191003"] = {
    vr: "SQ",
    Value: [
      {
        "00100010": { vr: "PN", Value: [{ Alphabetic: `PHI-private-seq-name-${label}` }] },
        "00081155": { vr: "UI", Value: [privateUid] },
      },
    ],
  };
  markers.push(`PHI-private-seq-name-${label}`);
  uids.push(privateUid);
  return { dataset, markers, uids };
}

/**
 * A 12-bit DX file holding every canary of `phiDataset(label)`, plus two more (both added to
 * `phi.markers`): one in the 128-byte preamble, followed by `preamble`, and one in the file meta.
 * `dataset` adds or replaces elements (another modality, the view).
 */
export function phiDicomFile(
  label: string,
  o: {
    rows: number;
    columns: number;
    pixels: ArrayLike<number>;
    transferSyntaxUid: string;
    dataset?: DicomDataset;
    preamble?: string;
  },
): { bytes: Buffer; phi: PhiFixture } {
  const phi = phiDataset(label);
  phi.markers.push(`PHI-preamble-${label}`, `PHI00020016${label}`);
  const bytes = buildDicom(
    {
      ...phi.dataset,
      ...imageModule({ rows: o.rows, columns: o.columns, bitsAllocated: 16, bitsStored: 12 }),
      "00080060": { vr: "CS", Value: ["DX"] },
      ...o.dataset,
    },
    {
      transferSyntaxUid: o.transferSyntaxUid,
      sopInstanceUid: String(phi.dataset["00080018"].Value?.[0]),
      meta: { "00020016": { vr: "AE", Value: [`PHI00020016${label}`] } },
      preamble: Buffer.from(`PHI-preamble-${label}${o.preamble ?? ""}`.padEnd(128, " ")),
      pixelData: nativePixels(o.pixels, 16),
    },
  );
  return { bytes, phi };
}
