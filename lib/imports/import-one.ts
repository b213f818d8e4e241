import { createHash } from "node:crypto";
import { isAppError } from "../errors/app-error";
import { decodeImage } from "../images/decode-image";
import { storeImage } from "../images/mutations";
import { imageIdsBySha256 } from "../images/queries";
import { logger } from "../log/logger";
import { displayName } from "./file-names";
import { metadataFor } from "./metadata-csv";
import type { DeidOptions } from "../images/dicom/deid-options";
import type { ModalityPolicy } from "../images/dicom/modality-policy";
import type { ImportEntry, ImportFile, ParsedMetadata } from "./types";

export interface ImportContext {
  projectId: string;
  batchId: string;
  pseudonymKey: string;
  maxFileBytes: number;
  maxPixels: number;
  /** The project's ingest settings: Table E.1-1 options and accepted modalities. */
  deidOptions?: DeidOptions;
  modalityPolicy?: ModalityPolicy;
  metadata?: ParsedMetadata;
  /** Lines already in this import, by name (earlier uploads included). */
  byName: Map<string, Promise<ImportEntry>>;
  /** Files of this run by content, so equal bytes under two names are decoded once. */
  bySha: Map<string, Promise<ImportEntry>>;
}

/** A line for the report, or a replay: the same name and bytes again (a retried upload). */
export type Outcome = { entry: ImportEntry; replay: boolean };

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/**
 * One file: refused, a replay, a duplicate (same bytes already in the project: found by hash
 * before any decoding, which is what makes re-running an import cheap), or decoded,
 * de-identified and stored. Never throws for a bad file; the reason goes in the line.
 */
export async function importOne(ctx: ImportContext, file: ImportFile): Promise<Outcome> {
  const name = displayName(file.name);
  const earlier = ctx.byName.get(name);
  if ("error" in file) {
    const prior = earlier && (await earlier);
    // The same refusal again (an archive uploaded twice) is a retry, not a second line.
    if (prior && !prior.sha256 && prior.reason === file.error) return { entry: prior, replay: true };
    const entry: ImportEntry = { name, status: "failed", reason: file.error };
    if (!earlier) ctx.byName.set(name, Promise.resolve(entry));
    return { entry, replay: false };
  }
  const sha = sha256(file.bytes);
  if (earlier) {
    const prior = await earlier;
    if (prior.sha256 === sha) return { entry: prior, replay: true };
    return {
      entry: {
        name,
        status: "failed",
        reason: `Duplicate name: another file called "${name}" is already in this import`,
        sha256: sha,
      },
      replay: false,
    };
  }
  const work = decideAndStore(ctx, name, file.bytes, sha);
  ctx.byName.set(name, work);
  return { entry: await work, replay: false };
}

async function decideAndStore(ctx: ImportContext, name: string, bytes: Buffer, sha: string): Promise<ImportEntry> {
  const sameBytes = ctx.bySha.get(sha);
  if (sameBytes) {
    const first = await sameBytes;
    if (first.imageId)
      return {
        name,
        status: "duplicate",
        imageId: first.imageId,
        sha256: sha,
        reason: `Same content as "${first.name}" in this import`,
      };
  }
  const work = decodeAndStore(ctx, name, bytes, sha);
  ctx.bySha.set(sha, work);
  return work;
}

async function decodeAndStore(ctx: ImportContext, name: string, bytes: Buffer, sha: string): Promise<ImportEntry> {
  const base: ImportEntry = { name, status: "failed", sha256: sha };
  const existing = (await imageIdsBySha256(ctx.projectId, [sha])).get(sha);
  if (existing)
    return { ...base, status: "duplicate", imageId: existing, reason: "Already in the project (same bytes)" };
  let decoded: Awaited<ReturnType<typeof decodeImage>>;
  try {
    decoded = await decodeImage(bytes, {
      pseudonymKey: ctx.pseudonymKey,
      fileName: name,
      maxBytes: ctx.maxFileBytes,
      maxPixels: ctx.maxPixels,
      deidOptions: ctx.deidOptions,
      modalityPolicy: ctx.modalityPolicy,
    });
  } catch (e) {
    if (isAppError(e)) return { ...base, reason: e.message };
    logger.error("import.decode_failed", { batchId: ctx.batchId, err: e instanceof Error ? e.name : "unknown" });
    return { ...base, reason: "The file could not be decoded (internal error)" };
  }
  const match = ctx.metadata ? metadataFor(ctx.metadata, name) : undefined;
  const meta = match?.row;
  try {
    const stored = await storeImage(ctx.projectId, decoded, {
      originalName: name,
      label: meta?.label,
      patientPseudonym: meta?.patientPseudonym,
      sourceDataset: meta?.sourceDataset,
      view: meta?.view,
      tags: meta?.tags,
      importBatchId: ctx.batchId,
    });
    return {
      ...base,
      status: stored.duplicate ? "duplicate" : "imported",
      imageId: stored.id,
      format: decoded.format,
      ...(stored.duplicate
        ? { reason: "Already in the project (same bytes)" }
        : {
            flags: decoded.flags,
            ...(decoded.warnings ? { warnings: decoded.warnings } : {}),
            label: meta?.label ?? "UNKNOWN",
          }),
      ...(ctx.metadata ? { metadata: Boolean(match) } : {}),
    };
  } catch (e) {
    // Name and code only: a database error's message can quote the row it tried to write.
    logger.error("import.store_failed", {
      batchId: ctx.batchId,
      err: e instanceof Error ? e.name : "unknown",
      code: (e as { code?: string }).code,
    });
    return { ...base, reason: "The image could not be stored (storage or database error); nothing was kept" };
  }
}
