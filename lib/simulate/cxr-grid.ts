// The coarse sampling grid on which smooth structures are computed before upsampling to full size.
import type { Acquisition } from "./cxr-geometry";

export interface Grid {
  width: number;
  height: number;
  /** Full-resolution pixels between coarse samples; coarse sample (i, j) sits on pixel (i·factor, j·factor). */
  factor: number;
  lw: number;
  lh: number;
}

export function makeGrid(width: number, height: number): Grid {
  const factor = Math.max(2, Math.round(Math.min(width, height) / 128));
  return {
    width,
    height,
    factor,
    lw: Math.floor((width - 1) / factor) + 2,
    lh: Math.floor((height - 1) / factor) + 2,
  };
}

/** Maps between anatomy fractions (u across, v down) and coarse-grid coordinates for one acquisition. */
export interface Frame {
  u(i: number): number;
  v(j: number): number;
  i(u: number): number;
  j(v: number): number;
  /** Size of one coarse step in u and v units. */
  du: number;
  dv: number;
  /** Height/width in pixels, to turn a u-length into the same on-screen v-length. */
  aspect: number;
}

export function makeFrame(grid: Grid, acq: Acquisition): Frame {
  const { width, height, factor } = grid;
  const { scale, shiftX, shiftY } = acq;
  return {
    u: (i) => ((i * factor) / width - 0.5 - shiftX) / scale + 0.5,
    v: (j) => ((j * factor) / height - 0.5 - shiftY) / scale + 0.5,
    i: (u) => (width * (0.5 + (u - 0.5) * scale + shiftX)) / factor,
    j: (v) => (height * (0.5 + (v - 0.5) * scale + shiftY)) / factor,
    du: factor / (width * scale),
    dv: factor / (height * scale),
    aspect: width / height,
  };
}
