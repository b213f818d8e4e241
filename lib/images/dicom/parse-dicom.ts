import { AppError } from "../../errors/app-error";
import { DicomMessage, type DicomDataset } from "./dcmjs";

/**
 * dcmjs parse of a file that scanDicomStructure has already proven well-formed; what dcmjs
 * still rejects (bad character sets, odd VR payloads) becomes a BAD_REQUEST.
 */
export function parseDicomDataset(bytes: Buffer): DicomDataset {
  // One private copy; with noCopy dcmjs then points into it instead of copying every value again.
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  try {
    const parsed = DicomMessage.readFile(copy, {
      ignoreErrors: false,
      untilTag: null,
      includeUntilTagValue: false,
      noCopy: true,
      forceStoreRaw: false,
    });
    return parsed.dict;
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split("\n")[0].slice(0, 200);
    throw new AppError("BAD_REQUEST", `Could not parse the DICOM data set: ${why}`);
  }
}
