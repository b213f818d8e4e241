// Raster primitives in image coordinates. A pixel (x, y) is covered when its centre
// (x + 0.5, y + 0.5) lies inside the shape, so shapes land on the same native pixels
// whatever the zoom they were drawn at. Each primitive reports covered pixels as row spans.

/** Called with [x0, x1) covered on row y, already clipped to the image. */
export type SpanVisitor = (y: number, x0: number, x1: number) => void;

function emit(y: number, lo: number, hi: number, width: number, visit: SpanVisitor) {
  // Centres x + 0.5 within [lo, hi]: x from ceil(lo - 0.5) to floor(hi - 0.5).
  const x0 = Math.max(0, Math.ceil(lo - 0.5));
  const x1 = Math.min(width, Math.floor(hi - 0.5) + 1);
  if (x1 > x0) visit(y, x0, x1);
}

function rowRange(minY: number, maxY: number, height: number): [number, number] {
  return [Math.max(0, Math.ceil(minY - 0.5)), Math.min(height - 1, Math.floor(maxY - 0.5))];
}

/**
 * The capsule of radius r around segment (ax, ay)–(bx, by): every pixel within r of the
 * segment. Convex, so each row is one interval: the union of both end discs and the band.
 */
export function capsuleSpans(ax: number, ay: number, bx: number, by: number, r: number, width: number, height: number, visit: SpanVisitor) {
  if (!(r > 0)) return;
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const len = Math.sqrt(len2);
  const [y0, y1] = rowRange(Math.min(ay, by) - r, Math.max(ay, by) + r, height);
  const r2 = r * r;
  for (let y = y0; y <= y1; y++) {
    const yc = y + 0.5;
    let lo = Infinity, hi = -Infinity;
    for (const [cx, cy] of [[ax, ay], [bx, by]]) {
      const d = yc - cy;
      if (d * d <= r2) {
        const h = Math.sqrt(r2 - d * d);
        if (cx - h < lo) lo = cx - h;
        if (cx + h > hi) hi = cx + h;
      }
    }
    if (len > 1e-9) {
      // Band: 0 ≤ projection ≤ len and |perpendicular distance| ≤ r, both linear in x.
      let bLo = -Infinity, bHi = Infinity;
      const ry = yc - ay;
      const clamp = (coef: number, rest: number, min: number, max: number) => {
        // min ≤ coef·x + rest ≤ max
        if (Math.abs(coef) < 1e-12) {
          if (rest < min || rest > max) { bLo = Infinity; bHi = -Infinity; }
          return;
        }
        let a = (min - rest) / coef, b = (max - rest) / coef;
        if (a > b) [a, b] = [b, a];
        if (a > bLo) bLo = a;
        if (b < bHi) bHi = b;
      };
      clamp(dx / len, (-ax * dx + ry * dy) / len, 0, len);
      clamp(dy / len, (-ax * dy - ry * dx) / len, -r, r);
      if (bLo <= bHi) {
        if (bLo < lo) lo = bLo;
        if (bHi > hi) hi = bHi;
      }
    }
    if (lo <= hi) emit(y, lo, hi, width, visit);
  }
}

/** A polygon (flat [x0, y0, x1, y1, …]) filled by the non-zero rule, so a looping lasso fills its loops. */
export function polygonSpans(points: ArrayLike<number>, width: number, height: number, visit: SpanVisitor) {
  const n = points.length >> 1;
  if (n < 3) return;
  let minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const y = points[2 * i + 1];
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const [y0, y1] = rowRange(minY, maxY, height);
  const xs: number[] = [];
  const dirs: number[] = [];
  const order: number[] = [];
  for (let y = y0; y <= y1; y++) {
    const yc = y + 0.5;
    xs.length = 0;
    dirs.length = 0;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      const ya = points[2 * i + 1], yb = points[2 * j + 1];
      if (ya === yb) continue;
      // Half-open in y so a vertex shared by two edges is counted once.
      if ((yc >= ya && yc < yb) || (yc >= yb && yc < ya)) {
        const xa = points[2 * i], xb = points[2 * j];
        xs.push(xa + ((yc - ya) * (xb - xa)) / (yb - ya));
        dirs.push(yb > ya ? 1 : -1);
      }
    }
    if (!xs.length) continue;
    order.length = 0;
    for (let k = 0; k < xs.length; k++) order.push(k);
    order.sort((a, b) => xs[a] - xs[b]);
    let winding = 0;
    for (let k = 0; k < order.length; k++) {
      const before = winding;
      winding += dirs[order[k]];
      if (before === 0 && winding !== 0) {
        let e = k + 1;
        let w = winding;
        while (e < order.length && w !== 0) w += dirs[order[e++]];
        const endX = xs[order[e - 1]];
        // Pixels whose centre is in [start, end): the end is exclusive, like the row rule.
        const x0 = Math.max(0, Math.ceil(xs[order[k]] - 0.5));
        const x1 = Math.min(width, Math.ceil(endX - 0.5));
        if (x1 > x0) visit(y, x0, x1);
        winding = 0;
        k = e - 1;
      }
    }
  }
}

/** Bounding box of the foreground as [x0, y0, x1, y1) or null when empty. */
export function foregroundBox(mask: Uint8Array, width: number, height: number): [number, number, number, number] | null {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const first = mask.indexOf(1, row);
    if (first === -1 || first >= row + width) continue;
    let last = row + width - 1;
    while (mask[last] === 0) last--;
    if (y < y0) y0 = y;
    y1 = y;
    if (first - row < x0) x0 = first - row;
    if (last - row > x1) x1 = last - row;
  }
  return x1 < 0 ? null : [x0, y0, x1 + 1, y1 + 1];
}

/**
 * Background pixels not 4-connected to the image border (holes). Pixels outside the
 * foreground's box always reach the border, so the flood runs inside the box plus a margin.
 */
export function holeSpans(mask: Uint8Array, width: number, height: number, visit: SpanVisitor) {
  const box = foregroundBox(mask, width, height);
  if (!box) return;
  const bx0 = Math.max(0, box[0] - 1), by0 = Math.max(0, box[1] - 1);
  const bx1 = Math.min(width, box[2] + 1), by1 = Math.min(height, box[3] + 1);
  const bw = bx1 - bx0, bh = by1 - by0;
  const seen = new Uint8Array(bw * bh);
  const stack = new Int32Array(bw * bh);
  let top = 0;
  const push = (x: number, y: number) => {
    const k = (y - by0) * bw + (x - bx0);
    if (seen[k] || mask[y * width + x]) return;
    seen[k] = 1;
    stack[top++] = k;
  };
  for (let x = bx0; x < bx1; x++) { push(x, by0); push(x, by1 - 1); }
  for (let y = by0; y < by1; y++) { push(bx0, y); push(bx1 - 1, y); }
  // A box edge inside the image (not on its border) is background by construction, so
  // seeding from every box edge is the same as seeding from the image border.
  while (top > 0) {
    const k = stack[--top];
    const x = bx0 + (k % bw), y = by0 + ((k / bw) | 0);
    if (x > bx0) push(x - 1, y);
    if (x < bx1 - 1) push(x + 1, y);
    if (y > by0) push(x, y - 1);
    if (y < by1 - 1) push(x, y + 1);
  }
  for (let y = by0; y < by1; y++) {
    let start = -1;
    for (let x = bx0; x <= bx1; x++) {
      const hole = x < bx1 && !seen[(y - by0) * bw + (x - bx0)] && !mask[y * width + x];
      if (hole && start < 0) start = x;
      else if (!hole && start >= 0) { visit(y, start, x); start = -1; }
    }
  }
}
