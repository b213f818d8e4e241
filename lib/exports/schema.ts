import { z } from "zod";
import { ARCHIVE_LAYOUT_IDS, DEFAULT_ARCHIVE_LAYOUT, type ArchiveLayoutId } from "./archive-layout";

const labels = ["COVID", "CONTROL", "UNKNOWN"] as const;
const stages = ["STAGE_I", "STAGE_II"] as const;

/** What an exporter may choose. Unknown keys are refused so that a typo never widens an export. */
export const exportOptionsSchema = z
  .object({
    format: z.enum(["tar", "zip"]).default("tar"),
    /** Folder and file names inside the archive (ARCHIVE_LAYOUTS). */
    layout: z.enum(ARCHIVE_LAYOUT_IDS).default(DEFAULT_ARCHIVE_LAYOUT),
    /** Leave out chosen images that have no accepted mask instead of refusing the export. */
    acceptedOnly: z.boolean().default(false),
    includeModels: z.boolean().default(false),
    labels: z.array(z.enum(labels)).max(labels.length).nullish(),
    sources: z.array(z.string().trim().min(1).max(200)).max(100).nullish(),
    stages: z.array(z.enum(stages)).max(stages.length).nullish(),
    acceptedAfter: z.coerce.date().nullish(),
    /** Share of patients put in the test split where an image has no recorded split. */
    testFraction: z.number().min(0).max(0.9).default(0.2),
  })
  .strict();

export type ExportOptionsInput = z.input<typeof exportOptionsSchema>;

/** The stored, canonical form: sorted, de-duplicated lists and ISO dates, so equal choices compare equal. */
export type ExportOptions = {
  format: "tar" | "zip";
  layout: ArchiveLayoutId;
  acceptedOnly: boolean;
  includeModels: boolean;
  labels: (typeof labels)[number][] | null;
  sources: string[] | null;
  stages: (typeof stages)[number][] | null;
  acceptedAfter: string | null;
  testFraction: number;
};

const sortedSet = <T extends string>(xs: T[] | null | undefined): T[] | null =>
  xs && xs.length ? [...new Set(xs)].sort() : null;

export function canonicalOptions(input: unknown): ExportOptions {
  const o = exportOptionsSchema.parse(input ?? {});
  return {
    format: o.format,
    layout: o.layout,
    acceptedOnly: o.acceptedOnly,
    includeModels: o.includeModels,
    labels: sortedSet(o.labels),
    sources: sortedSet(o.sources),
    stages: sortedSet(o.stages),
    acceptedAfter: o.acceptedAfter ? o.acceptedAfter.toISOString() : null,
    testFraction: o.testFraction,
  };
}

/** JSON with keys in a fixed order (jsonb reorders keys, so stored options compare by this). */
export function optionsKey(o: ExportOptions): string {
  return JSON.stringify(o, Object.keys(o).sort());
}

/**
 * The options' contribution to the dataset version: the selection, not the container format nor
 * the layout (each file's path already enters the version with its checksum).
 */
export function optionsFingerprint(o: ExportOptions): string {
  const { format: _container, layout: _layout, ...selection } = o;
  return JSON.stringify(selection, Object.keys(selection).sort());
}

export const linkRequestSchema = z.object({
  /** Seconds the link stays valid: 1 minute to 7 days, 1 hour by default. */
  ttlSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .default(3600),
});
