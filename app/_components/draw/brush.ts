// Brush sizes follow the image: the default covers about 1/50 of the shorter side (a 5 px radius
// on a 256² image, 20 px on 1024², 60 px on 3000²), so the first stroke on any image is usable.

/** The brush radius a new task starts with, in image pixels. */
export function defaultBrushRadius(width: number, height: number): number {
  return Math.max(2, Math.round(Math.min(width, height) / 50));
}

/** The largest radius `]` reaches. */
export function maxBrushRadius(width: number, height: number): number {
  return Math.max(20, Math.round(Math.min(width, height) / 8));
}
