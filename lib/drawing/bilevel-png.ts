// Mask → PNG in the browser and for stored drafts: 1-bit grayscale (8 pixels a byte), each
// row filtered "Up" so unchanged rows deflate to almost nothing. Pure JS (no Node APIs).
// Submitted masks are re-encoded canonically by createMask; drafts keep this form, which
// is several times faster to write than the 8-bit canonical one.
import { zlibSync } from "fflate";
import { PNG_SIGNATURE, pngChunk } from "../masks/png-chunks";

export function encodeBilevelPng(mask: Uint8Array, width: number, height: number, level: 1 | 3 | 6 = 3): Uint8Array {
  const rowBytes = (width + 7) >> 3;
  const stride = rowBytes + 1;
  const raw = new Uint8Array(stride * height);
  let prev = new Uint8Array(rowBytes);
  let cur = new Uint8Array(rowBytes);
  for (let y = 0; y < height; y++) {
    cur.fill(0);
    const src = y * width;
    for (let x = 0; x < width; x++) if (mask[src + x]) cur[x >> 3] |= 0x80 >> (x & 7);
    const o = y * stride;
    raw[o] = 2;
    for (let j = 0; j < rowBytes; j++) raw[o + 1 + j] = (cur[j] - prev[j]) & 0xff;
    [prev, cur] = [cur, prev];
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // grayscale
  const idat = zlibSync(raw, { level });
  const parts = [PNG_SIGNATURE, pngChunk("IHDR", ihdr), pngChunk("IDAT", idat), pngChunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
