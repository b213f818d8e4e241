import { blurField } from "../simulate/field-ops";
import { connectedComponents, fillHoles, traceContour } from "../simulate/mask-ops";

// Can a mask's style tell who drew it? Shape features that separate hand-drawn from predicted
// masks (boundary roughness, perimeter/area, parts, holes, contour vertex statistics), a
// cross-validated logistic regression on them, and the AUC of its held-out scores. Used by
// `npm run bench style` and the blinding tests to check that style normalisation works.

export const STYLE_FEATURES = [
  "perimeterPerSqrtArea",
  "roughness",
  "components",
  "holes",
  "meanTurn",
  "straightShare",
  "turnSpread",
] as const;

function perimeter(m: Uint8Array, w: number, h: number): number {
  let p = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!m[i]) continue;
      if (x === 0 || !m[i - 1]) p++;
      if (x === w - 1 || !m[i + 1]) p++;
      if (y === 0 || !m[i - w]) p++;
      if (y === h - 1 || !m[i + w]) p++;
    }
  return p;
}

/** Style features of a mask (any non-zero value is foreground); an empty mask gives zeros. */
export function styleFeatures(mask: Uint8Array, w: number, h: number): number[] {
  const m = new Uint8Array(mask.length);
  let area = 0;
  for (let i = 0; i < m.length; i++)
    if (mask[i]) {
      m[i] = 1;
      area++;
    }
  if (!area) return STYLE_FEATURES.map(() => 0);
  const p = perimeter(m, w, h);
  const f = new Float32Array(m.length);
  for (let i = 0; i < f.length; i++) f[i] = m[i] ? 1 : 0;
  const blurred = blurField(f, w, h, 1, 2);
  const sm = new Uint8Array(m.length);
  for (let i = 0; i < sm.length; i++) sm[i] = blurred[i] >= 0.5 ? 1 : 0;
  const cc = connectedComponents(m, w, h, 8);
  const filled = fillHoles(m, w, h);
  let holeArea = 0;
  for (let i = 0; i < m.length; i++) if (filled[i] && !m[i]) holeArea++;
  const holes = holeArea
    ? connectedComponents(
        Uint8Array.from(filled, (v, i) => (v && !m[i] ? 1 : 0)),
        w,
        h,
        4,
      ).count
    : 0;
  // Turning angles along the largest part's outline, over a step tied to the image size.
  const largest = cc.components.reduce((a, b) => (b.area > a.area ? b : a));
  const c = traceContour(cc.labels, w, h, largest.label);
  const step = Math.max(2, Math.round(Math.max(w, h) / 128));
  const turns: number[] = [];
  const n = c.x.length;
  if (n > 3 * step) {
    for (let i = 0; i < n; i += step) {
      const a = (i - step + n) % n,
        b = (i + step) % n;
      const d1 = Math.atan2(c.y[i] - c.y[a], c.x[i] - c.x[a]);
      const d2 = Math.atan2(c.y[b] - c.y[i], c.x[b] - c.x[i]);
      let t = d2 - d1;
      while (t > Math.PI) t -= 2 * Math.PI;
      while (t < -Math.PI) t += 2 * Math.PI;
      turns.push(Math.abs(t));
    }
  }
  const mean = turns.length ? turns.reduce((s, t) => s + t, 0) / turns.length : 0;
  const spread = turns.length ? Math.sqrt(turns.reduce((s, t) => s + (t - mean) ** 2, 0) / turns.length) : 0;
  const straight = turns.length ? turns.filter((t) => t < 0.05).length / turns.length : 0;
  return [p / Math.sqrt(area), p / Math.max(1, perimeter(sm, w, h)), cc.count, holes, mean, straight, spread];
}

/** Area under the ROC curve of scores for positives vs negatives (Mann–Whitney, ties halved). */
export function auc(pos: number[], neg: number[]): number {
  let s = 0;
  for (const a of pos) for (const b of neg) s += a > b ? 1 : a === b ? 0.5 : 0;
  return s / (pos.length * neg.length);
}

/** Hanley–McNeil standard error of an AUC. */
export function aucStandardError(a: number, nPos: number, nNeg: number): number {
  const q1 = a / (2 - a),
    q2 = (2 * a * a) / (1 + a);
  return Math.sqrt((a * (1 - a) + (nPos - 1) * (q1 - a * a) + (nNeg - 1) * (q2 - a * a)) / (nPos * nNeg));
}

function fitLogistic(x: number[][], y: number[]): (v: number[]) => number {
  const d = x[0].length;
  const mu = Array.from({ length: d }, (_, j) => x.reduce((s, r) => s + r[j], 0) / x.length);
  const sd = Array.from(
    { length: d },
    (_, j) => Math.sqrt(x.reduce((s, r) => s + (r[j] - mu[j]) ** 2, 0) / x.length) || 1,
  );
  const z = x.map((r) => r.map((v, j) => (v - mu[j]) / sd[j]));
  const wts = new Array(d + 1).fill(0);
  // Classes weighted to balance, plain gradient descent with a little L2.
  const nPos = y.filter((v) => v === 1).length,
    nNeg = y.length - nPos;
  for (let it = 0; it < 400; it++) {
    const g = new Array(d + 1).fill(0);
    for (let i = 0; i < z.length; i++) {
      const s = wts[d] + z[i].reduce((acc, v, j) => acc + v * wts[j], 0);
      const err = (1 / (1 + Math.exp(-s)) - y[i]) * (y[i] === 1 ? 0.5 / nPos : 0.5 / nNeg);
      for (let j = 0; j < d; j++) g[j] += err * z[i][j];
      g[d] += err;
    }
    for (let j = 0; j <= d; j++) wts[j] -= 1.0 * (g[j] + (j < d ? 1e-3 * wts[j] : 0));
  }
  return (v) => wts[d] + v.reduce((acc, val, j) => acc + ((val - mu[j]) / sd[j]) * wts[j], 0);
}

/**
 * Trains a logistic regression to tell human (label 1) from machine (0) masks from their
 * style features, k-fold cross-validated by group (an image's masks stay in one fold), and
 * returns the AUC of the held-out scores with its standard error.
 */
export function styleClassifierAuc(
  samples: { features: number[]; human: boolean; group: number }[],
  folds = 5,
): { auc: number; se: number; n: number } {
  const scores: { s: number; human: boolean }[] = [];
  for (let f = 0; f < folds; f++) {
    const train = samples.filter((s) => s.group % folds !== f);
    const test = samples.filter((s) => s.group % folds === f);
    if (!test.length || !train.some((s) => s.human) || !train.some((s) => !s.human)) continue;
    const model = fitLogistic(
      train.map((s) => s.features),
      train.map((s) => (s.human ? 1 : 0)),
    );
    for (const s of test) scores.push({ s: model(s.features), human: s.human });
  }
  const pos = scores.filter((s) => s.human).map((s) => s.s),
    neg = scores.filter((s) => !s.human).map((s) => s.s);
  const a = auc(pos, neg);
  return { auc: a, se: aucStandardError(a, pos.length, neg.length), n: scores.length };
}
