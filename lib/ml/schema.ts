import { z } from "zod";
import { DEFAULT_THRESHOLD } from "./threshold";
import { MAX_ANALYSE_MODELS } from "./limits";

export const reportFormatSchema = z.object({
  format: z.enum(["json", "csv"]).default("json"),
  part: z.enum(["metrics", "curves"]).default("metrics"),
});

export const stageReportQuerySchema = reportFormatSchema.extend({
  projectId: z.string().uuid(),
  stage: z.enum(["STAGE_I", "STAGE_II"]),
  roundId: z.string().uuid().optional(),
});

export const analyseQuerySchema = z.object({
  runIds: z
    .string()
    .transform((s) => [
      ...new Set(
        s
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(
      z
        .array(z.string().uuid())
        .min(1, "choose at least one model")
        .max(MAX_ANALYSE_MODELS, `at most ${MAX_ANALYSE_MODELS} models at once`),
    ),
  threshold: z.coerce.number().gt(0).max(1).default(DEFAULT_THRESHOLD),
});
