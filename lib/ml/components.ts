/**
 * Area of the largest 8-connected component of pixels with prob ≥ threshold, as a fraction of
 * the map (the trainer's tandem_trainer/metrics/components.py computes the same at the same
 * network resolution, so a calibrated rule means the same on both sides).
 */
export function largestComponentFraction(
  prob: ArrayLike<number>,
  width: number,
  height: number,
  threshold: number,
): number {
  const n = width * height;
  if (prob.length !== n) throw new Error(`a ${width}×${height} map needs ${n} values, got ${prob.length}`);
  const seen = new Uint8Array(n);
  const stack = new Int32Array(n);
  let largest = 0;
  for (let start = 0; start < n; start++) {
    if (seen[start] || !(prob[start] >= threshold)) continue;
    let top = 0,
      size = 0;
    stack[top++] = start;
    seen[start] = 1;
    while (top > 0) {
      const p = stack[--top];
      size++;
      const x = p % width,
        y = (p - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width || (dx === 0 && dy === 0)) continue;
          const q = yy * width + xx;
          if (!seen[q] && prob[q] >= threshold) {
            seen[q] = 1;
            stack[top++] = q;
          }
        }
      }
    }
    if (size > largest) largest = size;
  }
  return n ? largest / n : 0;
}
