// Window/level (brightness/contrast) and inversion as a 256-entry lookup table applied to
// the gray CXR: one table lookup a pixel, so a 3000×3000 image re-renders in tens of ms.

export type WindowLevel = { level: number; width: number; invert: boolean };
export const DEFAULT_WL: WindowLevel = { level: 128, width: 256, invert: false };

export function lut(wl: WindowLevel): Uint8Array {
  const t = new Uint8Array(256);
  const lo = wl.level - wl.width / 2;
  for (let v = 0; v < 256; v++) {
    const s = Math.round(((v - lo) / Math.max(1, wl.width)) * 255);
    const c = s < 0 ? 0 : s > 255 ? 255 : s;
    t[v] = wl.invert ? 255 - c : c;
  }
  return t;
}

/** Writes the windowed gray image into an RGBA buffer (opaque). */
export function applyWindow(gray: Uint8Array, rgba: Uint8ClampedArray, wl: WindowLevel) {
  const t = lut(wl);
  for (let i = 0, p = 0; i < gray.length; i++, p += 4) {
    const g = t[gray[i]];
    rgba[p] = g;
    rgba[p + 1] = g;
    rgba[p + 2] = g;
    rgba[p + 3] = 255;
  }
}
