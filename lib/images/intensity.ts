/** Smallest and largest value; NaN-free input assumed. */
export function minMax(values: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** Maps [lo, hi] linearly onto 0..255 (clamped); a flat range maps to 0. */
export function stretchTo8(values: ArrayLike<number>, lo: number, hi: number): Uint8Array {
  const out = new Uint8Array(values.length);
  const span = hi - lo;
  if (!(span > 0)) return out;
  const scale = 255 / span;
  for (let i = 0; i < values.length; i++) {
    const v = (values[i] - lo) * scale;
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
  }
  return out;
}

export function minMaxTo8(values: ArrayLike<number>): Uint8Array {
  const { min, max } = minMax(values);
  return stretchTo8(values, min, max);
}
