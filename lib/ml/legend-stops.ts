import { hsvToRgb, jet, rgbToHsv } from "./infection-map";

export type LegendStop = { p: number; color: string };

/**
 * The colour scale as the infection map shows it on a white CXR pixel: jet's hue and
 * saturation at full value (so jet's dark ends look like its bright blue and red).
 */
export function legendStops(n = 17): LegendStop[] {
  return Array.from({ length: n }, (_, i) => {
    const p = i / (n - 1);
    const [h, s] = rgbToHsv(...jet(p));
    const [r, g, b] = hsvToRgb(h, s, 1).map((v) => Math.round(v * 255));
    return { p, color: `rgb(${r} ${g} ${b})` };
  });
}
