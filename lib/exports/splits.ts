import { hash } from "node:crypto";
import type { ExportItem } from "./types";

export interface SplitAssignment {
  split: "TRAIN" | "TEST";
  /** "recorded": the project's own split; "derived": chosen here from the patient. */
  splitSource: "recorded" | "derived";
  fold: number | null;
}

/** A number in [0, 1) fixed by the seed, the purpose and the patient: no state, no memory. */
function unit(purpose: string, seed: number, key: string): number {
  // The digest's first 4 bytes, big-endian (the one-shot hash costs a quarter of a Hash object).
  return Number.parseInt(hash("sha256", `tandem-export/${purpose}/${seed}\u0000${key}`).slice(0, 8), 16) / 2 ** 32;
}

/**
 * Train/test and folds. A recorded split or fold wins. Otherwise the patient decides (the
 * image, when it has no patient): a patient's images always land in the same split and fold,
 * so no patient straddles train and test, and the choice needs no pass over the whole project.
 */
export function assignSplit(
  item: Pick<ExportItem, "imageId" | "patient" | "split" | "fold">,
  testFraction: number,
  folds: number,
  seed: number,
): SplitAssignment {
  const who = item.patient ?? `image:${item.imageId}`;
  const split = item.split ?? (unit("split", seed, who) < testFraction ? "TEST" : "TRAIN");
  const splitSource = item.split ? "recorded" : "derived";
  const fold = item.fold ?? (split === "TRAIN" ? Math.floor(unit("fold", seed, who) * folds) : null);
  return { split, splitSource, fold };
}
