import { AppError } from "../../errors/app-error";

export interface RleGeometry {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
}

const HEADER_BYTES = 64;
const MAX_SEGMENTS = 15;
const bad = (why: string) => new AppError("BAD_REQUEST", `Invalid RLE Lossless frame: ${why}`);

/**
 * Decodes one RLE Lossless frame (PS3.5 Annex G) to native little-endian, sample-interleaved
 * bytes. Output size is fixed by the geometry, so a hostile frame cannot make it grow.
 */
export function decodeRleFrame(frame: Buffer, g: RleGeometry): Buffer {
  const bytesPerSample = g.bitsAllocated / 8;
  const segmentCount = g.samplesPerPixel * bytesPerSample;
  const pixels = g.rows * g.columns;
  if (frame.length < HEADER_BYTES) throw bad("shorter than its 64-byte header");
  const declared = frame.readUInt32LE(0);
  if (declared !== segmentCount || declared > MAX_SEGMENTS) {
    throw bad(`${declared} segments where ${segmentCount} are expected`);
  }
  const offsets: number[] = [];
  for (let s = 0; s < segmentCount; s++) offsets.push(frame.readUInt32LE(4 + 4 * s));
  offsets.push(frame.length);
  if (offsets[0] !== HEADER_BYTES) throw bad("the first segment does not follow the header");
  for (let s = 0; s < segmentCount; s++) {
    if (offsets[s + 1] < offsets[s] || offsets[s + 1] > frame.length)
      throw bad(`segment ${s} offsets are out of order`);
  }

  const out = Buffer.alloc(pixels * segmentCount);
  const stride = segmentCount;
  for (let s = 0; s < segmentCount; s++) {
    // Segments hold the most significant byte of each sample first; native order is little-endian.
    const sample = Math.floor(s / bytesPerSample);
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
    decodeSegment(frame, offsets[s], offsets[s + 1], out, sample * bytesPerSample + byteInSample, stride, pixels, s);
  }
  return out;
}

/** PackBits: header n ≥ 0 copies n+1 literal bytes; −127…−1 repeats the next byte 1−n times; −128 is a no-op. */
function decodeSegment(
  src: Buffer,
  start: number,
  end: number,
  out: Buffer,
  first: number,
  stride: number,
  count: number,
  s: number,
) {
  let i = start;
  let o = 0;
  while (o < count && i < end) {
    const n = (src[i++] << 24) >> 24;
    if (n >= 0) {
      const run = n + 1;
      if (i + run > end) throw bad(`segment ${s} literal run passes its end`);
      if (o + run > count) throw bad(`segment ${s} decodes to more than ${count} bytes`);
      for (let k = 0; k < run; k++) out[first + (o + k) * stride] = src[i + k];
      i += run;
      o += run;
    } else if (n !== -128) {
      const run = 1 - n;
      if (i >= end) throw bad(`segment ${s} replicate run passes its end`);
      if (o + run > count) throw bad(`segment ${s} decodes to more than ${count} bytes`);
      const value = src[i++];
      for (let k = 0; k < run; k++) out[first + (o + k) * stride] = value;
      o += run;
    }
  }
  if (o < count) throw bad(`segment ${s} ends after ${o} of ${count} bytes`);
}
