import { DicomDict, type DicomDataset } from "./dcmjs";
import { tags } from "./dataset-values";

// Tandem's own implementation identity (a fixed 2.25 UID), written into every file it produces.
const IMPLEMENTATION_CLASS_UID = "2.25.208815432416447374880934004366131735101";
const IMPLEMENTATION_VERSION = "TANDEM_DEID_1";

export interface PixelPayload {
  transferSyntaxUid: string;
  /** Native: one buffer holding every frame. Encapsulated: one buffer per frame. */
  values: Buffer[];
  vr: "OB" | "OW";
}

const arrayBuffer = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/**
 * Writes a Part 10 file from scratch: zeroed preamble (whatever the upload carried there is
 * gone), a file meta group holding only what Tandem sets, then the data set.
 */
export function writeDicomFile(
  dataset: DicomDataset,
  sopClassUid: string,
  sopInstanceUid: string,
  pixels: PixelPayload,
): Buffer {
  const meta: DicomDataset = {
    "00020001": { vr: "OB", Value: [new Uint8Array([0, 1]).buffer] },
    "00020002": { vr: "UI", Value: [sopClassUid] },
    "00020003": { vr: "UI", Value: [sopInstanceUid] },
    "00020010": { vr: "UI", Value: [pixels.transferSyntaxUid] },
    "00020012": { vr: "UI", Value: [IMPLEMENTATION_CLASS_UID] },
    "00020013": { vr: "SH", Value: [IMPLEMENTATION_VERSION] },
  };
  const dict = new DicomDict(meta);
  dict.dict = { ...dataset, [tags.PixelData]: { vr: pixels.vr, Value: pixels.values.map(arrayBuffer) } };
  // RLE requires exactly one fragment per frame; dcmjs splits frames into 20 KB fragments unless told not to.
  return Buffer.from(dict.write({ allowInvalidVRLength: false, fragmentMultiframe: false }));
}
