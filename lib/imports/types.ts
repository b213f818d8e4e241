import type { ImageFlag, ImageFormat } from "../images/types";

export type ImageLabel = "COVID" | "CONTROL" | "UNKNOWN";

/**
 * One thing offered for import: the bytes of a file, or a refusal decided before any decoding
 * (an unsafe archive path, an oversize entry, a symbolic link…), which is reported as is.
 */
export type ImportFile = { name: string; bytes: Buffer } | { name: string; error: string };

export type EntryStatus = "imported" | "duplicate" | "failed";

/** One line of an import report. Names are the uploader's relative paths: shown, never used as keys. */
export interface ImportEntry {
  name: string;
  status: EntryStatus;
  reason?: string;
  /** The stored image (imported) or the one already holding these bytes (duplicate). */
  imageId?: string;
  format?: ImageFormat;
  flags?: ImageFlag[];
  /** What the report should say about a file imported with a caveat (e.g. only its first frame). */
  warnings?: string[];
  /** SHA-256 of the uploaded bytes: lets a retried upload of the same file count once. */
  sha256?: string;
  /** Whether a metadata CSV row applied to this file (absent when the import has no CSV). */
  metadata?: boolean;
  label?: ImageLabel;
  nearDuplicateOf?: NearDuplicate;
}

export interface NearDuplicate {
  imageId: string;
  name: string;
  distance: number;
}

export interface ImportCounts {
  total: number;
  imported: number;
  duplicates: number;
  failed: number;
}

/** What a metadata CSV row contributes to an image; patient ids are already pseudonyms. */
export interface MetadataRow {
  patientPseudonym?: string;
  label?: ImageLabel;
  sourceDataset?: string;
  view?: string;
  tags?: Record<string, string>;
}

/** Facts about the CSV for the report: column names only, never cell values (except labels). */
export interface MetadataSummary {
  rows: number;
  fileColumn: string;
  roles: Partial<Record<"patient" | "label" | "source" | "view", string>>;
  tagColumns: string[];
  /** Columns that look like direct identifiers: never read past the header. */
  droppedColumns: string[];
  /** Each distinct label spelling and the class it was mapped to. */
  labelMapping: Record<string, ImageLabel>;
  warnings: string[];
  /** Rows no imported file matched (filled in when the import finishes). */
  unmatchedRows?: number;
}

export interface ParsedMetadata {
  summary: MetadataSummary;
  rows: MetadataRow[];
  /** Lookup key (see rowKeys) → index in rows. Keys that several rows share are left out. */
  index: Record<string, number>;
}

export interface ImportReport {
  version: 1;
  files: ImportEntry[];
  metadata?: MetadataSummary;
  nearDuplicateDistance?: number;
  /** Why the import stopped, when it did not finish. */
  error?: string;
}

export interface ImportProgress extends ImportCounts {
  /** Files seen so far; the total is unknown while an archive or folder is still being read. */
  done: number;
}

export interface ImportOptions {
  /** Secret for patient pseudonyms and DICOM UID remapping; defaults to PSEUDONYM_KEY. */
  pseudonymKey?: string;
  /** Per-file byte cap; defaults to MAX_UPLOAD_BYTES. */
  maxFileBytes?: number;
  /** Pixel cap per image; defaults to MAX_IMAGE_PIXELS. */
  maxPixels?: number;
  /** Files decoded at once (decoding is CPU-bound). Default 2. */
  concurrency?: number;
}

/** An import as the API returns it (dates become strings over JSON). */
export interface ImportBatchView extends ImportCounts {
  id: string;
  status: "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";
  createdAt: string | Date;
  finishedAt: string | Date | null;
  report?: ImportReport;
}
