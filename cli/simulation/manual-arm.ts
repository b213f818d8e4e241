import { hashSeed } from "../../lib/simulate/prng";
import { drawFromReading, maskWork } from "../../lib/simulate/reader-draw";
import type { ReaderProfile } from "../../lib/simulate/reader-profile";
import { actionSeconds, type TimeModel } from "../../lib/simulate/time-model";
import type { Readings } from "./readings";
import type { SimImage } from "./sources";

export type ManualArm = { masks: Map<string, Uint8Array>; seconds: Map<string, number>; reader: Map<string, number> };

/**
 * The paired baseline: every COVID-19 image drawn by hand by the same reader who drew it in the
 * protocol arm (or, for an image no one drew there, who first voted on it), with the same seeds:
 * a reader's first drawing of an image is the very same mask, at the very same time cost, in
 * both arms.
 */
export function manualArm(o: {
  images: Map<string, SimImage>;
  readings: Readings;
  readers: readonly ReaderProfile[];
  firstReader: Map<string, number>;
  drawer: Map<string, number>;
  seed: number;
  timeModel: TimeModel;
}): ManualArm {
  const out: ManualArm = { masks: new Map(), seconds: new Map(), reader: new Map() };
  for (const [id, img] of o.images) {
    if (img.label !== "COVID") continue;
    const ri =
      o.drawer.get(id) ?? o.firstReader.get(id) ?? hashSeed("manual-reader", o.seed, img.name) % o.readers.length;
    const reader = o.readers[ri];
    const mask = drawFromReading(o.readings.of(reader, id), reader, "MANUAL");
    out.masks.set(id, mask);
    out.reader.set(id, ri);
    out.seconds.set(
      id,
      actionSeconds(
        { kind: "draw", work: maskWork(mask, img.width, img.height) },
        { seed: o.seed, reader, imageKey: img.name, taskKey: "MANUAL" },
        o.timeModel,
      ),
    );
  }
  return out;
}
