// Writes sample synthetic CXRs and overlays as PNGs for a visual check. Overlay colours: blue = lung
// outline, red = true infection mask, green = a simulated MD's drawing.
// Run: npx tsx lib/simulate/write-samples.ts [outDir] [count] [width]
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { encodePng, overlay } from "./png";
import { simulateDrawing } from "./simulated-md";
import { generateCxr } from "./synthetic-cxr";
import { dice } from "./mask-ops";

export async function writeSamples(outDir: string, count = 6, width = 512): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (let k = 0; k < count; k++) {
    const label = k === count - 1 ? "control" : "covid";
    const img = generateCxr({ seed: 1000 + k, width, label });
    const { pixels, mask, lungMask, height } = img;
    const drawn = simulateDrawing(
      mask,
      width,
      height,
      { seed: 7 + k, bias: 0.1, jitter: 0.5, missRate: 0.3 },
      { pixels },
    );
    const name = `sample-${k}-${label}`;
    const files: [string, Buffer][] = [
      [`${name}.png`, await encodePng(pixels, width, height)],
      [
        `${name}-overlay.png`,
        await encodePng(
          overlay(pixels, width, height, [
            { mask: lungMask, color: [40, 140, 255], fill: 0 },
            { mask, color: [255, 60, 40], fill: 0.3 },
            { mask: drawn, color: [60, 230, 90], fill: 0 },
          ]),
          width,
          height,
          3,
        ),
      ],
    ];
    for (const [file, buf] of files) {
      const full = path.join(outDir, file);
      await writeFile(full, buf);
      written.push(full);
    }
    console.log(
      `${name}: ${width}x${height} regions=${img.meta.regions.length} involvement=${(img.meta.involvement * 100).toFixed(1)}% md-dice=${dice(mask, drawn).toFixed(3)}`,
    );
  }
  return written;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const [outDir = "tmp/simulate-samples", count = "6", width = "512"] = process.argv.slice(2);
  await writeSamples(outDir, Number(count), Number(width));
}
