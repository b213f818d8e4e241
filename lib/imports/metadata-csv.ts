import { AppError } from "../errors/app-error";
import { patientPseudonym } from "../images/pseudonym";
import { parseCsv } from "./csv-parse";
import { fileKeys, rowKeys } from "./file-names";
import { mapLabel } from "./label-mapping";
import { looksLikePhiColumn } from "./phi-columns";
import type { ImageLabel, MetadataRow, ParsedMetadata } from "./types";

type Role = "file" | "patient" | "label" | "source" | "view";

// Header spellings (lower-case, letters and digits only) for each role, best first.
const ROLE_HEADERS: Record<Role, string[]> = {
  file: [
    "filename",
    "file",
    "imagefile",
    "imagename",
    "image",
    "imagepath",
    "filepath",
    "path",
    "imageid",
    "img",
    "id",
  ],
  patient: [
    "patientpseudonym",
    "pseudonym",
    "patientid",
    "patient",
    "subjectid",
    "subject",
    "participantid",
    "participant",
    "patientnumber",
  ],
  label: [
    "label",
    "class",
    "classlabel",
    "diagnosis",
    "finding",
    "findings",
    "category",
    "group",
    "covid",
    "covid19",
    "result",
    "target",
  ],
  source: ["sourcedataset", "dataset", "source", "origin", "collection"],
  view: ["view", "viewposition", "projection", "position"],
};

const PSEUDONYM = /^P-[A-Z2-7]{16}$/;
const MAX_TAG_COLUMNS = 50;
const MAX_VALUE = 256;

const squash = (s: string) =>
  s
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "");

function assignRoles(headers: string[]): Map<Role, number> {
  const squashed = headers.map(squash);
  const roles = new Map<Role, number>();
  for (const role of Object.keys(ROLE_HEADERS) as Role[]) {
    for (const spelling of ROLE_HEADERS[role]) {
      const at = squashed.findIndex((h, i) => h === spelling && ![...roles.values()].includes(i));
      if (at >= 0) {
        roles.set(role, at);
        break;
      }
    }
  }
  return roles;
}

const clip = (v: string) => v.trim().slice(0, MAX_VALUE);

/**
 * Reads a metadata CSV (file name → patient, label, source dataset, view, other columns as
 * tags). Raw patient ids become keyed pseudonyms here and are not kept; columns that look like
 * direct identifiers are dropped unread and named in the summary.
 */
export function parseMetadataCsv(text: string, pseudonymKey: string): ParsedMetadata {
  const records = parseCsv(text);
  if (records.length === 0) throw new AppError("BAD_REQUEST", "The metadata CSV is empty");
  const headers = records[0].map((h) => h.trim());
  const roles = assignRoles(headers);
  const fileCol = roles.get("file");
  if (fileCol === undefined) {
    throw new AppError(
      "BAD_REQUEST",
      `The metadata CSV needs a file name column (one of: ${ROLE_HEADERS.file.join(", ")})`,
    );
  }
  if (!roles.has("label")) {
    throw new AppError(
      "BAD_REQUEST",
      `The metadata CSV lacks the required column "label" (any of: ${ROLE_HEADERS.label.join(", ")}); columns found: ${headers
        .slice(0, 20)
        .map((h) => `"${h.slice(0, 40)}"`)
        .join(", ")}`,
    );
  }
  const roleCols = new Set(roles.values());
  const droppedColumns: string[] = [];
  const tagCols: number[] = [];
  const warnings: string[] = [];
  headers.forEach((h, i) => {
    if (roleCols.has(i)) return;
    if (h === "") return;
    if (looksLikePhiColumn(h)) droppedColumns.push(h);
    else if (tagCols.length < MAX_TAG_COLUMNS) tagCols.push(i);
    else warnings.push(`Column "${h.slice(0, 64)}" ignored: at most ${MAX_TAG_COLUMNS} tag columns are kept`);
  });

  const rows: MetadataRow[] = [];
  const index = new Map<string, number>();
  const ambiguous = new Set<string>();
  const labelMapping: Record<string, ImageLabel> = {};
  let skipped = 0;
  for (const record of records.slice(1)) {
    const cell = (col: number | undefined) => (col === undefined ? "" : clip(record[col] ?? ""));
    const file = cell(fileCol);
    if (!file) {
      skipped++;
      continue;
    }
    const row: MetadataRow = {};
    const patient = cell(roles.get("patient"));
    if (patient) row.patientPseudonym = PSEUDONYM.test(patient) ? patient : patientPseudonym(pseudonymKey, patient);
    const rawLabel = cell(roles.get("label"));
    if (roles.has("label")) {
      row.label = mapLabel(rawLabel);
      if (Object.keys(labelMapping).length < 100) labelMapping[rawLabel.slice(0, 64)] = row.label;
    }
    const source = cell(roles.get("source"));
    if (source) row.sourceDataset = source;
    const view = cell(roles.get("view"));
    if (view) row.view = view.slice(0, 32);
    const tags: Record<string, string> = {};
    for (const col of tagCols) {
      const v = cell(col);
      if (v) tags[headers[col].slice(0, 64)] = v;
    }
    if (Object.keys(tags).length) row.tags = tags;
    const at = rows.push(row) - 1;
    for (const key of rowKeys(file)) {
      if (ambiguous.has(key)) continue;
      if (index.has(key) && index.get(key) !== at) {
        index.delete(key);
        ambiguous.add(key);
      } else index.set(key, at);
    }
  }
  if (skipped) warnings.push(`${skipped} row${skipped === 1 ? "" : "s"} without a file name ignored`);
  const reachable = new Set(index.values());
  const orphaned = rows.length - reachable.size;
  if (orphaned)
    warnings.push(
      `${orphaned} row${orphaned === 1 ? " names a file" : "s name files"} listed more than once: such rows apply to no file`,
    );
  const name = (col: number | undefined) => (col === undefined ? undefined : headers[col]);
  const summaryRoles = Object.fromEntries(
    (["patient", "label", "source", "view"] as const).filter((r) => roles.has(r)).map((r) => [r, name(roles.get(r))!]),
  );
  return {
    summary: {
      rows: rows.length,
      fileColumn: headers[fileCol],
      roles: summaryRoles,
      tagColumns: tagCols.map((c) => headers[c]),
      droppedColumns,
      labelMapping,
      warnings,
    },
    rows,
    index: Object.fromEntries(index),
  };
}

/** The row for a file: the most specific matching key wins. */
export function metadataFor(meta: ParsedMetadata, name: string): { row: MetadataRow; at: number } | undefined {
  for (const key of fileKeys(name)) {
    const at = meta.index[key];
    if (at !== undefined) return { row: meta.rows[at], at };
  }
  return undefined;
}
