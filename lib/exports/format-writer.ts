import type { ArchiveEntry, StoredFile } from "./archive-entry";
import type { ArchiveLayout, Placement } from "./archive-layout";
import type { ExportOptions } from "./schema";
import type { SpoolFile } from "./spool-file";
import type { SplitAssignment } from "./splits";
import type { ExportItem, ExportProject } from "./types";
import type { ItemSources } from "./item-sources";

// The export writer interface. Each format (PNG pairs, DICOM, COCO, metadata, splits) is one
// FormatWriter registered in writers/index.ts; the archive builder only iterates them. A writer
// says what it needs per item (prepare: fetched and computed in the bounded pool, ahead of the
// write path), what it writes per item and at the end, and what it adds to the datasheet. The
// manifest and the dataset version follow from which `ArchiveOut` call writes a file.

export type EntryBody = Omit<ArchiveEntry, "path">;

/**
 * A value now, or later. The per-item calls may answer at once: an export of local PNG pairs
 * does all of an item's work synchronously, and the builder awaits only what is a promise.
 */
export type MaybePromise<T> = T | Promise<T>;

/** Where a writer puts files; paths are relative to the archive's root folder. */
export interface ArchiveOut {
  /**
   * A data file (image, mask, DICOM…): listed in the manifest and part of the dataset version.
   * A StoredFile (from ItemSources' entries) is read by the archive writer itself. Returns a
   * promise only when the caller must wait for it (await it then).
   */
  data(rel: string, body: Buffer | StoredFile, known?: { sha256?: string }): MaybePromise<void>;
  /** A derived file (a table, COCO): listed in the manifest only. */
  derived(rel: string, entry: EntryBody): Promise<void>;
  /** Folds a line into the dataset version (the metadata rows). */
  version(text: string): void;
  /** A temporary file in the export's spool folder, for a table that grows with the items. */
  spool(name: string): SpoolFile;
}

/** One item as every writer sees it while writing, in archive order. */
export interface ItemContext {
  item: ExportItem;
  name: string;
  split: SplitAssignment;
  at: Placement;
  /** 1-based position in the archive (COCO's image id). */
  index: number;
}

export interface WriterSetup {
  project: ExportProject;
  options: ExportOptions;
  layout: ArchiveLayout & {
    coco: string;
    metadata: string;
    train: string;
    test: string;
    folds: string;
    dicom(n: string): string;
    dicomSeg(n: string): string;
  };
  /** Stores values a writer computed for old rows that lack them (e.g. a mask's RLE), batched. */
  backfill?: (kind: "maskSummaries", rows: { maskId: string; rleCounts: string; bbox: number[] }[]) => Promise<void>;
}

export interface FinishInfo {
  datasetVersion: string;
  /** ISO time of the latest acceptance among the exported masks. */
  frozenAt: string | null;
}

export interface FormatWriter<Need = unknown> {
  readonly id: string;
  /** What this format needs of one item, fetched through the item's shared sources (at once when it can). */
  prepare(item: ExportItem, src: ItemSources): MaybePromise<Need>;
  /** Writes the item's files and table rows. Called in archive order, one item at a time. */
  writeItem(ctx: ItemContext, need: Need, out: ArchiveOut): MaybePromise<void>;
  /** After every item and model: writes the derived files (tables). */
  finish?(out: ArchiveOut, info: FinishInfo): Promise<void>;
  /** Bullet lines for the datasheet's Files section, and paragraphs after the list. */
  datasheet(options: ExportOptions): { files: string[]; notes?: string[] };
}

export type WriterFactory = (setup: WriterSetup) => FormatWriter<unknown>;

/** Type helper: a writer factory keeps its Need type while the registry holds them all. */
export const defineWriter = <Need>(make: (setup: WriterSetup) => FormatWriter<Need>) => make as WriterFactory;
