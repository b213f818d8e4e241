import { assignFolds } from "./folds";

/** Images of each class every held-out fold must hold (the trainer's cv_classify.MIN_PER_FOLD). */
export const MIN_PER_CLASS_PER_FOLD = 2;

export type LabelledImage = { id: string; patient: string | null; label: "COVID" | "CONTROL" };

/**
 * Folds for a classifier's cross-validation (by patient, stratified by label), or the reason
 * the project cannot train one: a missing class, or a fold with too few images of a class.
 */
export function classifierFolds(
  images: readonly LabelledImage[],
  k: number,
  seed: number,
): { folds: Map<string, number>; problem: null } | { folds: null; problem: string } {
  const covid = images.filter((i) => i.label === "COVID").length;
  const control = images.length - covid;
  if (!covid || !control) {
    const missing = [!covid ? "COVID-19" : null, !control ? "control" : null].filter(Boolean).join(" and ");
    return {
      folds: null,
      problem:
        `A classifier needs both classes: this project has ${covid} image(s) labelled COVID-19 and ${control} ` +
        `labelled control, so it has no ${missing} images. Label images COVID-19 or control (on import) first.`,
    };
  }
  const folds = assignFolds([...images], k, seed);
  for (let f = 0; f < k; f++) {
    const held = images.filter((i) => folds.get(i.id) === f);
    const pos = held.filter((i) => i.label === "COVID").length;
    if (pos < MIN_PER_CLASS_PER_FOLD || held.length - pos < MIN_PER_CLASS_PER_FOLD)
      return {
        folds: null,
        problem:
          `Too few images per fold: with ${k} folds, fold ${f + 1} holds ${pos} COVID-19 and ${held.length - pos} ` +
          `control images; each fold needs at least ${MIN_PER_CLASS_PER_FOLD} of both ` +
          `(${covid} COVID-19 and ${control} control images are labelled). Add labelled images or use fewer folds.`,
      };
  }
  return { folds, problem: null };
}
