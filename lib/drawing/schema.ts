import { z } from "zod";
import { provenanceSchema } from "../assist/provenance";

export const taskKinds = ["MANUAL", "REDRAW", "CONFIRM"] as const;

/** Client-chosen retry token: opaque, never used to build a storage key as is. */
export const idempotencyKeySchema = z.string().regex(/^[A-Za-z0-9_-]{8,80}$/, "use 8–80 letters, digits, - or _");

// A day of active drawing is far beyond any real task; anything larger is a client bug.
const elapsedMsSchema = z.number().int().min(0).max(86_400_000);

export const claimSchema = z.object({
  kinds: z
    .array(z.enum(taskKinds))
    .min(1)
    .max(3)
    .default([...taskKinds]),
});

export const skipSchema = z.object({
  reason: z.string().trim().min(3, "say why you skip this image").max(500),
});

export const saveDraftSchema = z.object({
  baseVersion: z.number().int().min(0),
  elapsedMs: elapsedMsSchema,
  idempotencyKey: idempotencyKeySchema.optional(),
});

export const submitSchema = z.object({
  elapsedMs: elapsedMsSchema,
  idempotencyKey: idempotencyKeySchema,
  provenance: provenanceSchema.nullable().default(null),
});

export const confirmSchema = z.object({
  approved: z.boolean(),
  elapsedMs: elapsedMsSchema,
  idempotencyKey: idempotencyKeySchema,
});

/** Largest mask PNG accepted on the wire (a worst-case 3000×3000 noise mask is ~1.2 MB). */
export const MAX_MASK_PNG_BYTES = 16 * 1024 * 1024;
