// Folds are stored as the trainer indexes them (0 … k-1) and shown from 1 (1 … k) everywhere a
// person or a file reads them: pages, model labels, the metadata CSV, splits/folds.csv, model
// cards, archive folder names and DICOM-SEG descriptions. Nothing else adds or subtracts 1.

/** The fold as people and exported files number it (from 1); null for a model of all folds. */
export function foldNumber(fold: number | null): number | null {
  return fold === null ? null : fold + 1;
}

/** "fold 2", or `none` (default "") for a model trained on everything. */
export function foldLabel(fold: number | null, none = ""): string {
  return fold === null ? none : `fold ${fold + 1}`;
}
