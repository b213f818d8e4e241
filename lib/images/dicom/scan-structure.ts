import { AppError } from "../../errors/app-error";
import { dictionaryEntry } from "./dcmjs";
import { requireSupportedSyntax, type TransferSyntax } from "./transfer-syntax";

/**
 * A bounded walk over the whole file before dcmjs sees it. dcmjs trusts declared lengths and
 * recurses without limit; this walk proves every element, item and fragment fits inside its
 * parent, caps nesting depth and element count, refuses unsupported transfer syntaxes (the
 * deflated one is a zip bomb waiting to happen), and records where the pixel data lies.
 */

export const scanLimits = { maxDepth: 16, maxElements: 200_000, maxFragments: 100_000 } as const;

export interface Span {
  offset: number;
  length: number;
}

export interface DicomScan {
  syntax: TransferSyntax;
  /** Top-level Pixel Data: one span for native data, the fragments (offset table excluded) for encapsulated. */
  pixelData?: { encapsulated: false; value: Span } | { encapsulated: true; fragments: Span[]; offsetTable: number[] };
}

const UNDEFINED = 0xffffffff;
const ITEM = 0xfffee000;
const ITEM_END = 0xfffee00d;
const SEQUENCE_END = 0xfffee0dd;
const PIXEL_DATA = 0x7fe00010;
const LONG_VRS = new Set(["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"]);

const bad = (why: string) => new AppError("BAD_REQUEST", `Malformed DICOM: ${why}`);
const hex = (tag: number) => {
  const h = (tag >>> 0).toString(16).toUpperCase().padStart(8, "0");
  return `(${h.slice(0, 4)},${h.slice(4)})`;
};

interface Header {
  tag: number;
  vr: string;
  length: number;
  valueStart: number;
}

class Walker {
  private elements = 0;
  private pos: number;
  pixelData: DicomScan["pixelData"];

  constructor(
    private readonly buf: Buffer,
    start: number,
    private readonly implicit: boolean,
    private readonly encapsulated: boolean,
  ) {
    this.pos = start;
  }

  private need(bytes: number, limit: number, what: string): void {
    if (this.pos + bytes > limit) throw bad(`file ends inside ${what} at byte ${this.pos}`);
  }

  private readHeader(limit: number, implicit: boolean): Header {
    this.need(8, limit, "an element header");
    const b = this.buf;
    const tag = ((b.readUInt16LE(this.pos) << 16) | b.readUInt16LE(this.pos + 2)) >>> 0;
    if (tag >>> 16 === 0xfffe || implicit) {
      const length = b.readUInt32LE(this.pos + 4);
      this.pos += 8;
      return { tag, vr: "", length, valueStart: this.pos };
    }
    const vr = b.toString("latin1", this.pos + 4, this.pos + 6);
    if (!/^[A-Z]{2}$/.test(vr)) throw bad(`element ${hex(tag)} has an invalid VR`);
    if (LONG_VRS.has(vr)) {
      this.need(12, limit, "an element header");
      const length = b.readUInt32LE(this.pos + 8);
      this.pos += 12;
      return { tag, vr, length, valueStart: this.pos };
    }
    const length = b.readUInt16LE(this.pos + 6);
    this.pos += 8;
    return { tag, vr, length, valueStart: this.pos };
  }

  private isSequence(h: Header, implicit: boolean): boolean {
    if (!implicit) return h.vr === "SQ";
    if (h.length === UNDEFINED) return true;
    const t = (h.tag >>> 0).toString(16).toUpperCase().padStart(8, "0");
    return (h.tag >>> 16) % 2 === 0 && dictionaryEntry(t)?.vr === "SQ";
  }

  /** Walks elements until `end` (defined length) or the item delimiter (end undefined). */
  dataset(end: number | undefined, implicit: boolean, depth: number): void {
    if (depth > scanLimits.maxDepth) throw bad(`sequences nested deeper than ${scanLimits.maxDepth} levels`);
    const limit = end ?? this.buf.length;
    const seen = new Set<number>();
    for (;;) {
      if (end !== undefined && this.pos >= end) {
        if (this.pos !== end) throw bad(`an element overruns its item at byte ${this.pos}`);
        return;
      }
      if (end === undefined && depth === 0 && this.pos === this.buf.length) return;
      const h = this.readHeader(limit, implicit);
      if (h.tag === ITEM_END && end === undefined && depth > 0) {
        if (h.length !== 0) throw bad("item delimiter with a non-zero length");
        return;
      }
      if (h.tag >>> 16 === 0xfffe) throw bad(`unexpected delimiter ${hex(h.tag)} at byte ${h.valueStart - 8}`);
      if (++this.elements > scanLimits.maxElements) throw bad(`more than ${scanLimits.maxElements} elements`);
      if (seen.has(h.tag)) throw bad(`element ${hex(h.tag)} appears twice in one data set`);
      seen.add(h.tag);
      this.element(h, limit, implicit, depth);
    }
  }

  private element(h: Header, limit: number, implicit: boolean, depth: number): void {
    const topPixelData = depth === 0 && h.tag === PIXEL_DATA;
    if (h.length === UNDEFINED) {
      if (topPixelData && this.encapsulated && (h.vr === "OB" || h.vr === "OW")) return this.fragments(limit);
      // Undefined-length UN holds an implicit VR little endian sequence (PS3.5 6.2.2).
      if (h.vr === "UN") return this.items(undefined, true, depth + 1);
      if (this.isSequence(h, implicit)) return this.items(undefined, implicit, depth + 1);
      throw bad(`element ${hex(h.tag)} has an undefined length but is not a sequence`);
    }
    if (h.length > limit - this.pos) {
      throw bad(`element ${hex(h.tag)} declares ${h.length} bytes but only ${limit - this.pos} remain`);
    }
    if (this.isSequence(h, implicit)) return this.items(this.pos + h.length, implicit, depth + 1);
    if (topPixelData) {
      if (this.encapsulated) throw bad("encapsulated transfer syntax but the pixel data is not encapsulated");
      this.pixelData = { encapsulated: false, value: { offset: this.pos, length: h.length } };
    }
    this.pos += h.length;
  }

  private items(end: number | undefined, implicit: boolean, depth: number): void {
    if (depth > scanLimits.maxDepth) throw bad(`sequences nested deeper than ${scanLimits.maxDepth} levels`);
    const limit = end ?? this.buf.length;
    for (;;) {
      if (end !== undefined && this.pos >= end) {
        if (this.pos !== end) throw bad(`an item overruns its sequence at byte ${this.pos}`);
        return;
      }
      this.need(8, limit, "a sequence");
      const tag = ((this.buf.readUInt16LE(this.pos) << 16) | this.buf.readUInt16LE(this.pos + 2)) >>> 0;
      const length = this.buf.readUInt32LE(this.pos + 4);
      this.pos += 8;
      if (tag === SEQUENCE_END && end === undefined) {
        if (length !== 0) throw bad("sequence delimiter with a non-zero length");
        return;
      }
      if (tag !== ITEM) throw bad(`expected a sequence item, found ${hex(tag)} at byte ${this.pos - 8}`);
      if (++this.elements > scanLimits.maxElements) throw bad(`more than ${scanLimits.maxElements} elements`);
      if (length === UNDEFINED) {
        this.dataset(undefined, implicit, depth);
      } else {
        if (length > limit - this.pos)
          throw bad(`a sequence item declares ${length} bytes but only ${limit - this.pos} remain`);
        this.dataset(this.pos + length, implicit, depth);
      }
    }
  }

  private fragments(limit: number): void {
    const spans: Span[] = [];
    let offsetTable: number[] | undefined;
    for (;;) {
      this.need(8, limit, "the encapsulated pixel data");
      const tag = ((this.buf.readUInt16LE(this.pos) << 16) | this.buf.readUInt16LE(this.pos + 2)) >>> 0;
      const length = this.buf.readUInt32LE(this.pos + 4);
      this.pos += 8;
      if (tag === SEQUENCE_END) {
        if (offsetTable === undefined) throw bad("encapsulated pixel data has no offset table item");
        this.pixelData = { encapsulated: true, fragments: spans, offsetTable };
        return;
      }
      if (tag !== ITEM || length === UNDEFINED) throw bad(`unexpected ${hex(tag)} inside encapsulated pixel data`);
      if (length > limit - this.pos)
        throw bad(`a pixel data fragment declares ${length} bytes but only ${limit - this.pos} remain`);
      if (offsetTable === undefined) {
        if (length % 4 !== 0) throw bad("the basic offset table length is not a multiple of 4");
        offsetTable = [];
        for (let i = 0; i < length; i += 4) offsetTable.push(this.buf.readUInt32LE(this.pos + i));
      } else {
        if (spans.length >= scanLimits.maxFragments)
          throw bad(`more than ${scanLimits.maxFragments} pixel data fragments`);
        spans.push({ offset: this.pos, length });
      }
      this.pos += length;
    }
  }
}

export function readMeta(buf: Buffer): { transferSyntaxUid: string; datasetStart: number } {
  let pos = 132;
  if (buf.length < pos + 12) throw bad("file ends inside the file meta information");
  if (
    buf.readUInt16LE(pos) !== 0x0002 ||
    buf.readUInt16LE(pos + 2) !== 0x0000 ||
    buf.toString("latin1", pos + 4, pos + 6) !== "UL"
  ) {
    throw bad("the File Meta Information Group Length (0002,0000) is missing");
  }
  const groupLength = buf.readUInt32LE(pos + 8);
  const metaEnd = pos + 12 + groupLength;
  if (metaEnd > buf.length)
    throw bad(`the file meta information declares ${groupLength} bytes but the file is shorter`);
  pos += 12;
  let transferSyntaxUid: string | undefined;
  while (pos < metaEnd) {
    if (pos + 8 > metaEnd) throw bad("the file meta information ends inside an element header");
    const group = buf.readUInt16LE(pos);
    const element = buf.readUInt16LE(pos + 2);
    const vr = buf.toString("latin1", pos + 4, pos + 6);
    if (group !== 0x0002) throw bad("the file meta information group length is wrong");
    if (!/^[A-Z]{2}$/.test(vr)) throw bad("a file meta element has an invalid VR");
    const long = LONG_VRS.has(vr);
    const headerLength = long ? 12 : 8;
    if (pos + headerLength > metaEnd) throw bad("the file meta information ends inside an element header");
    const length = long ? buf.readUInt32LE(pos + 8) : buf.readUInt16LE(pos + 6);
    const valueStart = pos + headerLength;
    if (length > metaEnd - valueStart) throw bad("a file meta element overruns the meta information");
    if (element === 0x0010)
      transferSyntaxUid = buf.toString("latin1", valueStart, valueStart + length).replace(/[\s\u0000]+$/, "");
    pos = valueStart + length;
  }
  if (!transferSyntaxUid) throw bad("the Transfer Syntax UID (0002,0010) is missing");
  return { transferSyntaxUid, datasetStart: metaEnd };
}

export function scanDicomStructure(buf: Buffer): DicomScan {
  const { transferSyntaxUid, datasetStart } = readMeta(buf);
  const syntax = requireSupportedSyntax(transferSyntaxUid);
  const walker = new Walker(buf, datasetStart, syntax.implicitVr, syntax.encapsulated);
  walker.dataset(undefined, syntax.implicitVr, 0);
  return { syntax, pixelData: walker.pixelData };
}
