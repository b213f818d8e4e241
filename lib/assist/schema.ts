import { z } from "zod";

export const MAX_CLICKS_PER_PROPOSAL = 100;
// A 1-bit PNG of a 3000×3000 mask with ragged edges stays far below this.
const MAX_MASK_BASE64 = 900_000;

export const clickSchema = z.object({
  x: z.number().int().min(0).max(100_000),
  y: z.number().int().min(0).max(100_000),
  positive: z.boolean(),
});

/** One Smart-tool step: every click of the session so far, and the mask they correct (PNG, base64). */
export const proposeSchema = z.object({
  clicks: z.array(clickSchema).min(1, "click on the image first").max(MAX_CLICKS_PER_PROPOSAL),
  current: z
    .string()
    .max(MAX_MASK_BASE64, "the current mask is too large")
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, "current must be base64")
    .optional(),
});

export const retrainSettingSchema = z.object({
  every: z.number().int().min(1).max(100_000).nullable(),
});

/** A lead's note on an imported click model (where it was trained, on what). */
export const importNoteSchema = z.string().trim().max(500, "the note is longer than 500 characters").optional();
