// Screen ↔ image mapping: screen = image × scale + offset.
export type View = { scale: number; x: number; y: number };

export const MIN_SCALE = 0.02;
export const MAX_SCALE = 32;

export function fitView(viewW: number, viewH: number, imgW: number, imgH: number, margin = 16): View {
  const scale = Math.max(MIN_SCALE, Math.min((viewW - 2 * margin) / imgW, (viewH - 2 * margin) / imgH));
  return { scale, x: (viewW - imgW * scale) / 2, y: (viewH - imgH * scale) / 2 };
}

/** Zooms by factor keeping the image point under (px, py) where it is. */
export function zoomAt(v: View, px: number, py: number, factor: number): View {
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, v.scale * factor));
  const k = scale / v.scale;
  return { scale, x: px - (px - v.x) * k, y: py - (py - v.y) * k };
}

export function toImage(v: View, sx: number, sy: number): [number, number] {
  return [(sx - v.x) / v.scale, (sy - v.y) / v.scale];
}

export function toScreen(v: View, ix: number, iy: number): [number, number] {
  return [ix * v.scale + v.x, iy * v.scale + v.y];
}
