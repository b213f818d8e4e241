import { AppError } from "../errors/app-error";

export interface JpegHeader {
  width: number;
  height: number;
  precision: number;
  components: number;
  /** SOF3/7/11/15: the lossless process, which the bundled decoder does not implement. */
  lossless: boolean;
}

const bad = (why: string) => new AppError("BAD_REQUEST", `Corrupt JPEG: ${why}`);

// SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
const isStartOfFrame = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/**
 * Walks the marker segments up to the first SOF without decoding any scan data. With `jpegLs`
 * the JPEG-LS frame header (SOF55, FFF7, same layout) counts as a start of frame too.
 */
export function readJpegHeader(bytes: Buffer, opts: { jpegLs?: boolean } = {}): JpegHeader {
  let pos = 2; // after SOI
  while (pos < bytes.length) {
    if (bytes[pos] !== 0xff) throw bad(`expected a marker at byte ${pos}`);
    while (pos < bytes.length && bytes[pos] === 0xff) pos++; // fill bytes
    if (pos >= bytes.length) break;
    const marker = bytes[pos++];
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no payload
    if (marker === 0xd9 || marker === 0xda) throw bad("no frame header before the image data");
    if (pos + 2 > bytes.length) break;
    const length = bytes.readUInt16BE(pos);
    if (length < 2 || pos + length > bytes.length) throw bad(`segment at byte ${pos} runs past the end of the file`);
    if (isStartOfFrame(marker) || (opts.jpegLs && marker === 0xf7)) {
      if (length < 8) throw bad("frame header too short");
      const precision = bytes[pos + 2];
      const height = bytes.readUInt16BE(pos + 3);
      const width = bytes.readUInt16BE(pos + 5);
      const components = bytes[pos + 7];
      if (width === 0 || height === 0) throw bad(`unsupported frame size ${width}×${height}`);
      return { width, height, precision, components, lossless: (marker & 0x03) === 0x03 };
    }
    pos += length;
  }
  throw bad("file ends before the frame header");
}
