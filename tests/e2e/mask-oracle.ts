// The expected mask of a sequence of drawn shapes, computed pixel by pixel (centre inside
// the shape), independently of the app's span rasteriser, and a tolerant comparison.
type Pt = [number, number];
export type Shape = { inside(x: number, y: number): boolean; value: 0 | 1 };

export function capsule(a: Pt, b: Pt, r: number, value: 0 | 1): Shape {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const l2 = dx * dx + dy * dy;
  return {
    value,
    inside(x, y) {
      const t = l2 ? Math.max(0, Math.min(1, ((x - a[0]) * dx + (y - a[1]) * dy) / l2)) : 0;
      return Math.hypot(x - a[0] - t * dx, y - a[1] - t * dy) <= r;
    },
  };
}

export function polygon(pts: Pt[], value: 0 | 1): Shape {
  return {
    value,
    inside(x, y) {
      let inside = false;
      for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
        const [xi, yi] = pts[i],
          [xj, yj] = pts[j];
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
      return inside;
    },
  };
}

export function expectedMask(width: number, height: number, shapes: Shape[]): Uint8Array {
  const m = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = 0;
      for (const s of shapes) if (s.inside(x + 0.5, y + 0.5)) v = s.value;
      m[y * width + x] = v;
    }
  }
  return m;
}

/**
 * Pixels where the stored mask differs from the expected one, and how many of those lie
 * farther than `edge` pixels from any expected boundary (those are real errors).
 */
export function maskMismatch(stored: Uint8Array, width: number, height: number, shapes: Shape[], edge: number) {
  const want = expectedMask(width, height, shapes);
  let mismatched = 0,
    farFromEdge = 0,
    expectedArea = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      expectedArea += want[i];
      if (stored[i] === want[i]) continue;
      mismatched++;
      let nearEdge = false;
      for (let dy = -edge; dy <= edge && !nearEdge; dy++) {
        for (let dx = -edge; dx <= edge; dx++) {
          const xx = x + dx,
            yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
          if (want[yy * width + xx] !== want[i]) {
            nearEdge = true;
            break;
          }
        }
      }
      if (!nearEdge) farFromEdge++;
    }
  }
  return { expectedArea, mismatched, farFromEdge };
}
