// What films pulled from a hospital archive add to a clean synthetic chest X-ray: framing that
// varies from film to film (zoom, off-centre patient), uneven exposure across the detector,
// collimator edges and burned-in labels. Without these, every synthetic film shares one coarse
// layout and a 64-bit perceptual hash calls most of them near-duplicates of each other, which
// real films are not (about 1 in 100 at the ingest's distance, measured on cxr-train).
import type { Acquisition } from "./cxr-geometry";
import type { Rng } from "./prng";

/** Wider placement than a positioned study: the patient larger or smaller, off-centre, tilted exposure. */
export function archiveFraming(acq: Acquisition, rng: Rng): Acquisition {
  return {
    ...acq,
    scale: rng.uniform(0.82, 1.16),
    shiftX: rng.normal(0, 0.04),
    shiftY: rng.uniform(-0.08, 0.07),
    heel: rng.normal(0, 0.12),
  };
}

const clamp8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/**
 * Applied to the finished 8-bit film in place: a smooth exposure field (a lateral gradient and
 * three slow waves), then collimator bands on some edges and a burned-in label near a corner.
 */
export function applyArchiveLook(pixels: Uint8Array, width: number, height: number, rng: Rng): void {
  const lateral = rng.normal(0, 24);
  const waves = Array.from({ length: 3 }, () => ({
    fx: rng.uniform(0, 1.6),
    fy: rng.uniform(0, 1.6),
    phase: rng.uniform(0, 2 * Math.PI),
    amp: rng.uniform(4, 14),
  }));
  const colShift = new Float32Array(width);
  for (let x = 0; x < width; x++) colShift[x] = lateral * (x / width - 0.5);
  for (let y = 0; y < height; y++) {
    const v = y / height;
    const row = y * width;
    for (let x = 0; x < width; x += 8) {
      // The field is smooth: evaluated every 8 pixels and held across them.
      const u = x / width;
      let s = colShift[x];
      for (const w of waves) s += w.amp * Math.cos(2 * Math.PI * (w.fx * u + w.fy * v) + w.phase);
      const end = Math.min(width, x + 8);
      for (let p = row + x; p < row + end; p++) pixels[p] = clamp8(pixels[p] + s);
    }
  }
  const edge = rng.chance(0.5) ? rng.uniform(0, 25) : rng.uniform(215, 255);
  const band = (x0: number, y0: number, x1: number, y1: number, level: number) => {
    for (let y = Math.max(0, y0); y < Math.min(height, y1); y++)
      pixels.fill(clamp8(level), y * width + Math.max(0, x0), y * width + Math.min(width, x1));
  };
  if (rng.chance(0.35)) band(0, 0, Math.round(width * rng.uniform(0.01, 0.07)), height, edge);
  if (rng.chance(0.35)) band(Math.round(width * (1 - rng.uniform(0.01, 0.07))), 0, width, height, edge);
  if (rng.chance(0.3)) band(0, 0, width, Math.round(height * rng.uniform(0.01, 0.06)), edge);
  if (rng.chance(0.3)) band(0, Math.round(height * (1 - rng.uniform(0.01, 0.06))), width, height, edge);
  if (rng.chance(0.6)) {
    // A label: a row of glyph-sized bright blocks, like a side marker or a site name.
    const glyph = Math.max(2, Math.round(width * rng.uniform(0.012, 0.025)));
    const count = rng.int(1, 12);
    const right = rng.chance(0.5);
    const bottom = rng.chance(0.4);
    const x0 = right ? width - Math.round(width * 0.04) - count * glyph * 1.4 : Math.round(width * 0.04);
    const y0 = bottom ? height - Math.round(height * 0.06) - glyph * 2 : Math.round(height * 0.04);
    const level = rng.uniform(225, 255);
    for (let g = 0; g < count; g++) {
      const gx = Math.round(x0 + g * glyph * 1.4);
      band(gx, y0, gx + glyph, y0 + Math.round(glyph * rng.uniform(1.2, 1.8)), level);
    }
  }
}
