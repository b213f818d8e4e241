import { inflateRawSync } from "node:zlib";
import { AppError } from "../../errors/app-error";
import { readMeta } from "./scan-structure";
import { DEFLATED_EXPLICIT_VR_LE, EXPLICIT_VR_LE } from "./transfer-syntax";

const LONG_VRS = new Set(["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"]);

/** The file meta group with its Transfer Syntax UID replaced and its group length recomputed. */
function rewriteMeta(bytes: Buffer, metaEnd: number, transferSyntaxUid: string): Buffer {
  const elements: Buffer[] = [];
  let pos = 132 + 12; // preamble, "DICM", then the group length element
  while (pos < metaEnd) {
    const element = bytes.readUInt16LE(pos + 2);
    const long = LONG_VRS.has(bytes.toString("latin1", pos + 4, pos + 6));
    const length = long ? bytes.readUInt32LE(pos + 8) : bytes.readUInt16LE(pos + 6);
    const end = pos + (long ? 12 : 8) + length;
    if (element !== 0x0010) elements.push(bytes.subarray(pos, end));
    else {
      const value = Buffer.from(transferSyntaxUid.length % 2 ? `${transferSyntaxUid}\0` : transferSyntaxUid, "latin1");
      const header = Buffer.from([0x02, 0x00, 0x10, 0x00, 0x55, 0x49, 0, 0]); // (0002,0010) UI
      header.writeUInt16LE(value.length, 6);
      elements.push(Buffer.concat([header, value]));
    }
    pos = end;
  }
  const body = Buffer.concat(elements);
  const groupLength = Buffer.from([0x02, 0x00, 0x00, 0x00, 0x55, 0x4c, 4, 0, 0, 0, 0, 0]); // (0002,0000) UL
  groupLength.writeUInt32LE(body.length, 8);
  return Buffer.concat([bytes.subarray(0, 132), groupLength, body]);
}

/**
 * Deflated Explicit VR Little Endian (PS3.5 A.5): the data set after the file meta group is a
 * raw deflate stream. Returns the same file with that data set inflated and the meta group
 * saying Explicit VR Little Endian; any other file is returned as it is. Inflation stops at
 * `maxBytes`, so a deflate bomb is refused before it fills memory.
 */
export function inflateDeflatedDicom(bytes: Buffer, maxBytes: number): Buffer {
  const { transferSyntaxUid, datasetStart } = readMeta(bytes);
  if (transferSyntaxUid !== DEFLATED_EXPLICIT_VR_LE) return bytes;
  let dataset: Buffer;
  try {
    dataset = inflateRawSync(bytes.subarray(datasetStart), { maxOutputLength: maxBytes });
  } catch (e) {
    if (e instanceof RangeError || (e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw new AppError("TOO_LARGE", `The deflated DICOM data set inflates to more than ${maxBytes} bytes`);
    }
    throw new AppError("BAD_REQUEST", "Malformed DICOM: the deflated data set is not a valid deflate stream");
  }
  return Buffer.concat([rewriteMeta(bytes, datasetStart, EXPLICIT_VR_LE), dataset]);
}
