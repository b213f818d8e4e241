// Inter-reader agreement of a simulated panel: mean pairwise Dice between the masks the readers
// draw on the same positive images (compared with published inter-reader Dice in README.md).
import { readImage, type ReadableImage } from "./latent-reading";
import { dice } from "./mask-ops";
import { drawFromReading } from "./reader-draw";
import type { ReaderProfile } from "./reader-profile";
import type { SealedTruth } from "./truth";

export function interReaderDice(
  images: readonly { truth: SealedTruth; image: ReadableImage }[],
  panel: readonly ReaderProfile[],
): { mean: number; perImage: number[] } {
  const perImage: number[] = [];
  for (const { truth, image } of images) {
    if (image.label !== "COVID") continue;
    const drawn = panel.map((r) => drawFromReading(readImage(truth, image, r), r));
    let s = 0;
    let n = 0;
    for (let a = 0; a < drawn.length; a++)
      for (let b = a + 1; b < drawn.length; b++, n++) s += dice(drawn[a], drawn[b]);
    perImage.push(n ? s / n : Number.NaN);
  }
  return { mean: perImage.reduce((a, b) => a + b, 0) / Math.max(1, perImage.length), perImage };
}
