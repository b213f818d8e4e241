import { z } from "zod";

// How a drawn mask was made: active milliseconds per tool, Smart-tool clicks and accepts, the
// click-model version used, and whether the MD started from a rejected candidate. A mask made
// with the Smart tool is still the MD's mask; this lets leads study anchoring and time saved.
export const drawingTools = ["brush", "eraser", "lasso", "polygon", "smart"] as const;

export const provenanceSchema = z.object({
  toolMs: z.partialRecord(z.enum(drawingTools), z.number().int().min(0).max(86_400_000)).default({}),
  smartClicks: z.number().int().min(0).max(100_000).default(0),
  /** Of smartClicks, those the MD's browser answered (the rest: the server). */
  smartBrowserClicks: z.number().int().min(0).max(100_000).default(0),
  smartAccepts: z.number().int().min(0).max(100_000).default(0),
  interactiveModelVersion: z.number().int().min(1).nullable().default(null),
  startedFrom: z.enum(["empty", "draft", "candidate"]).default("empty"),
});

export type DrawingProvenance = z.infer<typeof provenanceSchema>;

/** The x-drawing-provenance header (JSON); absent means an old client: nothing recorded. */
export function parseProvenanceHeader(value: string | null): DrawingProvenance | null {
  if (!value) return null;
  if (value.length > 4000)
    throw new z.ZodError([
      { code: "custom", path: ["x-drawing-provenance"], message: "header too long", input: value },
    ]);
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    throw new z.ZodError([{ code: "custom", path: ["x-drawing-provenance"], message: "not valid JSON", input: value }]);
  }
  return provenanceSchema.parse(raw);
}
