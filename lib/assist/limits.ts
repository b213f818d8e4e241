/**
 * The largest click model Tandem stores and sends to browsers (the trained ones are about 2 MB;
 * an MD's browser downloads it once per version). Apart from schema.ts so pages need no zod.
 */
export const MAX_CLICK_MODEL_BYTES = 32 * 1024 * 1024;
