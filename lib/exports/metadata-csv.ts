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

function cell(v: string | number | null): string {
  if (v === null) return "";
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Free text typed by a person: a leading =, +, - or @ would run as a formula in a spreadsheet. */
function text(v: string | null): string | null {
  return v !== null && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

export function metadataHeader(): string {
  return `${METADATA_COLUMNS.join(",")}\n`;
}

export function metadataRow(name: string, item: ExportItem, s: SplitAssignment, hasDicom: boolean): string {
  const model = item.model
    ? `${item.model.arch}/${item.model.encoder}${item.model.fold === null ? "" : `/fold${foldNumber(item.model.fold)}`}`
    : null;
  const values: (string | number | null)[] = [
    name,
    item.imageId,
    item.groundTruthId,
    item.patient,
    item.label,
    text(item.source),
    text(item.view),
    item.width,
    item.height,
    s.split,
    s.splitSource,
    foldNumber(s.fold),
    item.stage,
    item.round,
    item.decision,
    item.sourceKind,
    model,
    item.votes,
    item.votes > 0 ? (item.agreeing / item.votes).toFixed(3) : null,
    item.mask?.area ?? 0,
    hasDicom ? 1 : 0,
  ];
  return `${values.map(cell).join(",")}\n`;
}
