import { readImage } from "../../lib/simulate/latent-reading";
import type { ReaderProfile } from "../../lib/simulate/reader-profile";
import type { Reading } from "../../lib/simulate/reading";
import type { SimImage } from "./sources";

/** Each reader's latent reading of each image, made once and shared by both arms. */
export class Readings {
  private cache = new Map<string, Reading>();
  constructor(private images: Map<string, SimImage>) {}

  of(reader: ReaderProfile, imageId: string): Reading {
    const k = `${reader.seed}:${imageId}`;
    let r = this.cache.get(k);
    if (!r) {
      const img = this.images.get(imageId);
      if (!img) throw new Error(`image ${imageId} is not part of the simulation`);
      r = readImage(
        img.truth,
        { key: img.name, width: img.width, height: img.height, pixels: img.pixels, label: img.label },
        reader,
      );
      this.cache.set(k, r);
    }
    return r;
  }
}
