// Random patient anatomy and acquisition settings for the synthetic chest X-ray, in image fractions
// (x as a fraction of the width, y of the height) so one patient can be imaged at any size.
import type { Rng } from "./prng";

export interface LungShape {
  cx: number;
  cy: number;
  rLat: number;
  rMed: number;
  rTop: number;
  rBot: number;
  nTop: number;
  nBotLat: number;
  nBotMed: number;
  taper: number;
  dome: number;
  wobble: { k: number; amp: number; phase: number }[];
}

export interface Anatomy {
  cx: number;
  bodyHalfW: number;
  neckHalfW: number;
  shoulderY: number;
  thoraxHalfW: number;
  lungs: [LungShape, LungShape];
  heart: { cx: number; cy: number; rx: number; ry: number; tilt: number };
  aorticKnob: { cx: number; cy: number; r: number };
  spineHalfW: number;
  vertebraPeriod: number;
  tracheaHalfW: number;
  carinaY: number;
  clavicle: { medialX: number; medialY: number; lateralX: number; lateralY: number; bow: number; thick: number };
  ribs: { top: number; bottom: number; count: number; drop: number; rise: number; warp: number };
  hila: { dx: number; y: number; r: number };
  breasts: { y: number; rx: number; ry: number; density: number } | null;
  gastricBubble: { dx: number; dy: number; r: number } | null;
  softTissue: number;
}

export interface Acquisition {
  scale: number;
  shiftX: number;
  shiftY: number;
  lo: number;
  hi: number;
  gamma: number;
  grain: number;
  mottle: number;
  heel: number;
  boneContrast: number;
  markings: number;
}

export interface AcquisitionBias {
  exposure?: number;
  contrast?: number;
  noise?: number;
}

function lung(rng: Rng, side: -1 | 1, cx: number, diaphragmLift: number): LungShape {
  const wobble = [2, 3, 5].map((k) => ({ k, amp: rng.uniform(0, 0.025), phase: rng.uniform(0, 2 * Math.PI) }));
  return {
    cx: cx + side * rng.uniform(0.2, 0.225),
    cy: rng.uniform(0.43, 0.46),
    rLat: rng.uniform(0.18, 0.22),
    rMed: rng.uniform(0.13, 0.155),
    rTop: rng.uniform(0.28, 0.32),
    rBot: rng.uniform(0.3, 0.36) - diaphragmLift,
    nTop: rng.uniform(1.9, 2.4),
    nBotLat: rng.uniform(4, 6.5),
    nBotMed: rng.uniform(2.6, 3.6),
    taper: rng.uniform(0.15, 0.3),
    dome: rng.uniform(0.25, 0.4),
    wobble,
  };
}

export function sampleAnatomy(rng: Rng): Anatomy {
  const cx = 0.5 + rng.normal(0, 0.01);
  const liftRight = rng.uniform(0.005, 0.035);
  const female = rng.chance(0.45);
  return {
    cx,
    bodyHalfW: rng.uniform(0.47, 0.62),
    neckHalfW: rng.uniform(0.1, 0.14),
    shoulderY: rng.uniform(0.06, 0.12),
    thoraxHalfW: rng.uniform(0.39, 0.44),
    lungs: [lung(rng, -1, cx, liftRight), lung(rng, 1, cx, 0)],
    heart: {
      cx: cx + rng.uniform(0.02, 0.055),
      cy: rng.uniform(0.6, 0.64),
      rx: rng.uniform(0.16, 0.2),
      ry: rng.uniform(0.12, 0.15),
      tilt: rng.uniform(0.2, 0.45),
    },
    aorticKnob: { cx: cx + rng.uniform(0.04, 0.06), cy: rng.uniform(0.3, 0.34), r: rng.uniform(0.022, 0.032) },
    spineHalfW: rng.uniform(0.035, 0.048),
    vertebraPeriod: rng.uniform(0.045, 0.055),
    tracheaHalfW: rng.uniform(0.014, 0.02),
    carinaY: rng.uniform(0.3, 0.36),
    clavicle: {
      medialX: rng.uniform(0.04, 0.07),
      medialY: rng.uniform(0.19, 0.23),
      lateralX: rng.uniform(0.3, 0.36),
      lateralY: rng.uniform(0.13, 0.17),
      bow: rng.uniform(-0.035, -0.01),
      thick: rng.uniform(0.018, 0.026),
    },
    ribs: {
      top: rng.uniform(0.1, 0.13),
      bottom: rng.uniform(0.8, 0.86),
      count: rng.int(9, 11),
      drop: rng.uniform(0.15, 0.21),
      rise: rng.uniform(0.02, 0.05),
      warp: rng.uniform(0.8, 0.9),
    },
    hila: { dx: rng.uniform(0.08, 0.11), y: rng.uniform(0.4, 0.45), r: rng.uniform(0.05, 0.07) },
    breasts: female
      ? {
          y: rng.uniform(0.56, 0.62),
          rx: rng.uniform(0.16, 0.21),
          ry: rng.uniform(0.12, 0.16),
          density: rng.uniform(0.04, 0.09),
        }
      : null,
    gastricBubble: rng.chance(0.6)
      ? { dx: rng.uniform(0.12, 0.2), dy: rng.uniform(0.03, 0.06), r: rng.uniform(0.025, 0.05) }
      : null,
    softTissue: rng.uniform(0.85, 1.05),
  };
}

export function sampleAcquisition(rng: Rng, bias: AcquisitionBias = {}): Acquisition {
  const exposure = bias.exposure ?? 0;
  const contrast = bias.contrast ?? 1;
  const noise = bias.noise ?? 1;
  const lo = rng.uniform(-0.12, 0.06) + exposure;
  const span = rng.uniform(1.25, 1.6) / contrast;
  return {
    scale: rng.uniform(0.96, 1.08),
    shiftX: rng.normal(0, 0.012),
    shiftY: rng.uniform(-0.025, 0.02),
    lo,
    hi: lo + span,
    gamma: rng.uniform(0.8, 1.25),
    grain: rng.uniform(0.008, 0.022) * noise,
    mottle: rng.uniform(0.01, 0.03) * noise,
    heel: rng.normal(0, 0.04),
    boneContrast: rng.uniform(0.8, 1.2),
    markings: rng.uniform(0.7, 1.3),
  };
}
