import { z } from "zod";

export const MAX_METADATA_CSV_CHARS = 20 * 1024 * 1024;

export const createImportSchema = z.object({
  metadataCsv: z.string().max(MAX_METADATA_CSV_CHARS, "The metadata CSV is larger than 20 MiB").optional(),
});
export type CreateImportInput = z.input<typeof createImportSchema>;

/** The X-File-Name header of an upload: the file's relative path, URI-encoded by the browser. */
export const uploadNameSchema = z
  .string({ error: "Send the file's name in the X-File-Name header" })
  .min(1, "Send the file's name in the X-File-Name header")
  .max(4096)
  .transform((v, ctx) => {
    try {
      return decodeURIComponent(v);
    } catch {
      ctx.addIssue({ code: "custom", message: "X-File-Name is not valid URI encoding" });
      return z.NEVER;
    }
  });
