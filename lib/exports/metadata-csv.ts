import type { SplitAssignment } from "./splits";
import type { ExportItem } from "./types";
import { foldNumber } from "../ml/fold";

export const METADATA_COLUMNS = [
  "image",
  "tandem_image_id",
  "ground_truth_id",
  "patient",
  "label",
  "source",
  "view",
  "width",
  "height",
  "split",
  "split_source",
  "fold",
  "stage",
  "round",
  "decision",
  "winner",
  "model",
  "votes",
  "agreement",
  "mask_area",
  "dicom",
] as const;

/** A CSV cell: empty for null, quoted when it holds a comma, a quote or a line break. */
function cell(v: string | number | null): string {
  if (v === null) return "";
  if (typeof v === "number") return String(v);
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Free text typed by a person: a leading =, +, - or @ would run as a formula in a spreadsheet. */
function text(v: string | null): string | null {
  return v !== null && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

export function metadataHeader(): string {
  return `${METADATA_COLUMNS.join(",")}\n`;
}

/**
 * One row, in METADATA_COLUMNS' order, written as one template: an export builds 20k of them,
 * and a values array mapped through cell() and joined cost more than the rest of the row. Ids,
 * enums and numbers need no quoting; every free-text or stored string goes through cell().
 */
export function metadataRow(name: string, item: ExportItem, s: SplitAssignment, hasDicom: boolean): string {
  const model = item.model
    ? `${item.model.arch}/${item.model.encoder}${item.model.fold === null ? "" : `/fold${foldNumber(item.model.fold)}`}`
    : null;
  const agreement = item.votes > 0 ? (item.agreeing / item.votes).toFixed(3) : "";
  return `${cell(name)},${item.imageId},${item.groundTruthId},${cell(item.patient)},${item.label},${cell(text(item.source))},${cell(text(item.view))},${item.width},${item.height},${s.split},${s.splitSource},${cell(foldNumber(s.fold))},${cell(item.stage)},${cell(item.round)},${cell(item.decision)},${item.sourceKind},${cell(model)},${item.votes},${agreement},${item.mask?.area ?? 0},${hasDicom ? 1 : 0}\n`;
}
