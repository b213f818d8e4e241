import { describe, expect, it } from "vitest";
import { decodePngGrey, encodePng, overlay } from "../../../lib/simulate/png";
import { generateCxr } from "../../../lib/simulate/synthetic-cxr";

describe("png helpers", () => {
  it("round-trips grey pixels losslessly", async () => {
    const img = generateCxr({ seed: 9, width: 128, height: 120 });
    const png = await encodePng(img.pixels, img.width, img.height);
    expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
    const back = await decodePngGrey(png);
    expect([back.width, back.height]).toEqual([128, 120]);
    expect(back.pixels).toEqual(img.pixels);
    await expect(encodePng(img.pixels, 10, 10)).rejects.toThrow();
  });

  it("overlays masks as tinted fill with an opaque outline", async () => {
    const w = 8;
    const grey = new Uint8Array(w * w).fill(100);
    const mask = new Uint8Array(w * w);
    for (let y = 2; y < 6; y++) for (let x = 2; x < 6; x++) mask[y * w + x] = 1;
    const rgb = overlay(grey, w, w, [{ mask, color: [255, 0, 0], fill: 0.5 }]);
    expect(rgb.length).toBe(3 * w * w);
    const px = (x: number, y: number) => [...rgb.subarray(3 * (y * w + x), 3 * (y * w + x) + 3)];
    expect(px(0, 0)).toEqual([100, 100, 100]);
    expect(px(2, 2)).toEqual([255, 0, 0]);
    expect(px(3, 3)).toEqual([178, 50, 50]);
    const png = await encodePng(rgb, w, w, 3);
    expect(png.length).toBeGreaterThan(50);
  });
});
