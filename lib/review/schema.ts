import { z } from "zod";
import { BURNED_IN_DECISIONS } from "./types";

const px = z.number().int().min(0).max(65535);

/** A lead's decision on an image with burned-in text; MASK needs the rectangle to paint. */
export const burnedInDecisionSchema = z
  .object({
    decision: z.enum(BURNED_IN_DECISIONS),
    region: z
      .object({ x: px, y: px, width: px.min(1), height: px.min(1) })
      .strict()
      .optional(),
  })
  .strict()
  .refine((d) => (d.decision === "MASK") === (d.region !== undefined), {
    message: "region is required for MASK and only for MASK",
    path: ["region"],
  });

export type BurnedInDecisionInput = z.infer<typeof burnedInDecisionSchema>;
