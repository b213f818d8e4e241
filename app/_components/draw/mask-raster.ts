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
export function capsuleSpans(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  r: number,
  width: number,
  height: number,
  visit: SpanVisitor,
) {
  if (!(r > 0)) return;
  const dx = bx - ax,
    dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const len = Math.sqrt(len2);
  const [y0, y1] = rowRange(Math.min(ay, by) - r, Math.max(ay, by) + r, height);
  const r2 = r * r;
  for (let y = y0; y <= y1; y++) {
    const yc = y + 0.5;
    let lo = Infinity,
      hi = -Infinity;
    for (const [cx, cy] of [
      [ax, ay],
      [bx, by],
    ]) {
      const d = yc - cy;
      if (d * d <= r2) {
        const h = Math.sqrt(r2 - d * d);
        if (cx - h < lo) lo = cx - h;
        if (cx + h > hi) hi = cx + h;
      }
    }
    if (len > 1e-9) {
      // Band: 0 ≤ projection ≤ len and |perpendicular distance| ≤ r, both linear in x.
      let bLo = -Infinity,
        bHi = Infinity;
      const ry = yc - ay;
      const clamp = (coef: number, rest: number, min: number, max: number) => {
        // min ≤ coef·x + rest ≤ max
        if (Math.abs(coef) < 1e-12) {
          if (rest < min || rest > max) {
            bLo = Infinity;
            bHi = -Infinity;
          }
          return;
        }
        let a = (min - rest) / coef,
          b = (max - rest) / coef;
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
  let minY = Infinity,
    maxY = -Infinity;
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
      const ya = points[2 * i + 1],
        yb = points[2 * j + 1];
      if (ya === yb) continue;
      // Half-open in y so a vertex shared by two edges is counted once.
      if ((yc >= ya && yc < yb) || (yc >= yb && yc < ya)) {
        const xa = points[2 * i],
          xb = points[2 * j];
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
export function foregroundBox(
  mask: Uint8Array,
  width: number,
  height: number,
): [number, number, number, number] | null {
  let x0 = width,
    y0 = height,
    x1 = -1,
    y1 = -1;
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
 * foreground's box always reach the border, so the flood runs on the box only, framed by
 * a ring of background (everything outside) and a ring of walls that ends the flood
 * without a bounds check per pixel.
 */
export function holeSpans(mask: Uint8Array, width: number, height: number, visit: SpanVisitor) {
  const box = foregroundBox(mask, width, height);
  if (!box) return;
  const [bx0, by0, bx1, by1] = box;
  const bw = bx1 - bx0,
    bh = by1 - by0;
  const W = bw + 4,
    H = bh + 4;
  const WALL = 1,
    OPEN = 0,
    REACHED = 2;
  const grid = new Uint8Array(W * H);
  for (let x = 0; x < W; x++) grid[x] = grid[(H - 1) * W + x] = WALL;
  for (let y = 0; y < H; y++) grid[y * W] = grid[y * W + W - 1] = WALL;
  for (let y = 0; y < bh; y++) {
    const src = (by0 + y) * width + bx0,
      dst = (y + 2) * W + 2;
    for (let x = 0; x < bw; x++) grid[dst + x] = mask[src + x] ? WALL : OPEN;
  }
  const stack = new Int32Array(W * H);
  let top = 0;
  stack[top++] = W + 1;
  grid[W + 1] = REACHED;
  while (top > 0) {
    const k = stack[--top];
    if (grid[k - 1] === OPEN) {
      grid[k - 1] = REACHED;
      stack[top++] = k - 1;
    }
    if (grid[k + 1] === OPEN) {
      grid[k + 1] = REACHED;
      stack[top++] = k + 1;
    }
    if (grid[k - W] === OPEN) {
      grid[k - W] = REACHED;
      stack[top++] = k - W;
    }
    if (grid[k + W] === OPEN) {
      grid[k + W] = REACHED;
      stack[top++] = k + W;
    }
  }
  for (let y = 0; y < bh; y++) {
    const row = (y + 2) * W + 2;
    let start = -1;
    for (let x = 0; x <= bw; x++) {
      const hole = x < bw && grid[row + x] === OPEN;
      if (hole && start < 0) start = x;
      else if (!hole && start >= 0) {
        visit(by0 + y, bx0 + start, bx0 + x);
        start = -1;
      }
    }
  }
}
