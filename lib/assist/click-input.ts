import type { Click, ClickModelMeta } from "./types";

export function clickRadius(
  meta: Pick<ClickModelMeta, "clickRadiusFraction" | "minClickRadius">,
  size: number,
): number {
  return Math.max(meta.minClickRadius, Math.round(size * meta.clickRadiusFraction));
}

/** Native pixel -> model pixel (the trainer resizes the whole image to size × size). */
function toModel(v: number, native: number, size: number): number {
  return Math.min(size - 1, Math.max(0, Math.floor(((v + 0.5) * size) / native)));
}

/**
 * The `clicks` input, 3 × size × size: disks around positive clicks, around negative clicks, and
 * the current mask (native 0/1, box-downsampled, majority vote) — as the trainer builds it.
 */
export function clickInput(
  clicks: Click[],
  current: Uint8Array | null,
  width: number,
  height: number,
  size: number,
  radius: number,
): Float32Array {
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  const r2 = radius * radius;
  for (const c of clicks) {
    const cx = toModel(c.x, width, size);
    const cy = toModel(c.y, height, size);
    const base = c.positive ? 0 : plane;
    for (let y = Math.max(0, cy - radius); y <= Math.min(size - 1, cy + radius); y++) {
      for (let x = Math.max(0, cx - radius); x <= Math.min(size - 1, cx + radius); x++) {
        if ((y - cy) ** 2 + (x - cx) ** 2 <= r2) out[base + y * size + x] = 1;
      }
    }
  }
  if (current) {
    const sums = new Uint32Array(plane);
    const counts = new Uint32Array(plane);
    const col = new Int32Array(width);
    for (let x = 0; x < width; x++) col[x] = Math.min(size - 1, Math.floor((x * size) / width));
    for (let y = 0; y < height; y++) {
      const my = Math.min(size - 1, Math.floor((y * size) / height)) * size;
      const row = y * width;
      for (let x = 0; x < width; x++) {
        const m = my + col[x];
        counts[m]++;
        sums[m] += current[row + x] ? 1 : 0;
      }
    }
    for (let i = 0; i < plane; i++) out[2 * plane + i] = counts[i] > 0 && sums[i] * 2 >= counts[i] ? 1 : 0;
  }
  return out;
}
