// Exact Euclidean distance transforms of binary masks (Felzenszwalb & Huttenlocher, two 1-D passes).

const FAR = 1e20;

// Exact squared Euclidean distance along one line: lower envelope of parabolas rooted at each sample.
function envelope1d(f: Float64Array, n: number, out: Float64Array, v: Int32Array, z: Float64Array) {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    let s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    while (s <= z[k]) {
      k--;
      s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    const d = q - v[k];
    out[q] = d * d + f[v[k]];
  }
}

/**
 * Squared Euclidean distance from every pixel to the nearest foreground pixel (0 on the foreground).
 * With no foreground at all, every value is a huge number (>= 1e20).
 */
export function squaredDistanceToForeground(mask: Uint8Array, width: number, height: number): Float64Array {
  if (mask.length !== width * height) throw new Error(`mask has ${mask.length} pixels, expected ${width}×${height}`);
  const n = Math.max(width, height);
  const f = new Float64Array(n);
  const out = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  const d = new Float64Array(width * height);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) f[y] = mask[y * width + x] !== 0 ? 0 : FAR;
    envelope1d(f, height, out, v, z);
    for (let y = 0; y < height; y++) d[y * width + x] = out[y];
  }
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) f[x] = d[row + x];
    envelope1d(f, width, out, v, z);
    for (let x = 0; x < width; x++) d[row + x] = out[x];
  }
  return d;
}

/** Euclidean distance of each region pixel to the nearest pixel outside it (the image border counts as outside). */
export function distanceInside(region: Uint8Array, width: number, height: number): Float64Array {
  const w = width + 2;
  const outside = new Uint8Array(w * (height + 2)).fill(1);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) if (region[y * width + x]) outside[(y + 1) * w + x + 1] = 0;
  const d = squaredDistanceToForeground(outside, w, height + 2);
  const out = new Float64Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) out[y * width + x] = Math.sqrt(d[(y + 1) * w + x + 1]);
  return out;
}
