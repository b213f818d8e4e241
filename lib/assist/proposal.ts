/** Bilinear upsampling of a size × size probability map to width × height, thresholded at 0.5. */
export function proposalAtNative(prob: Float32Array, size: number, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const sx = size / width;
  const sy = size / height;
  const xs0 = new Int32Array(width);
  const xs1 = new Int32Array(width);
  const wx = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const fx = Math.min(size - 1, Math.max(0, (x + 0.5) * sx - 0.5));
    xs0[x] = Math.floor(fx);
    xs1[x] = Math.min(size - 1, xs0[x] + 1);
    wx[x] = fx - xs0[x];
  }
  for (let y = 0; y < height; y++) {
    const fy = Math.min(size - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(size - 1, y0 + 1);
    const wy = fy - y0;
    const r0 = y0 * size;
    const r1 = y1 * size;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const a = prob[r0 + xs0[x]] + (prob[r0 + xs1[x]] - prob[r0 + xs0[x]]) * wx[x];
      const b = prob[r1 + xs0[x]] + (prob[r1 + xs1[x]] - prob[r1 + xs0[x]]) * wx[x];
      out[row + x] = a + (b - a) * wy > 0.5 ? 1 : 0;
    }
  }
  return out;
}
