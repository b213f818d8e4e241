import { z } from "zod";

// The trainer's metrics.json (workers/trainer/tandem_trainer/train/run.py and
// metrics/evaluation.py), as stored in ModelRun.metrics. Undefined scores are null.

const num = z.number().nullable();
/** `boot`: the image-level bootstrap (or Wilson) 95% interval the trainer adds beside eq. 13's radius. */
const score = z.object({ value: num, ci: num, boot: z.tuple([z.number(), z.number()]).nullable().optional() });
const confusion = z.object({ tp: z.number(), fp: z.number(), tn: z.number(), fn: z.number() });

export const curvePointsSchema = z.object({
  thresholds: z.array(z.number()),
  tpr: z.array(num).nullable(),
  fpr: z.array(num).nullable(),
  precision: z.array(num),
});

export const levelSummarySchema = z.object({
  n: z.number(),
  confusion,
  sensitivity: score,
  specificity: score,
  precision: score,
  f1: score,
  f2: score,
  accuracy: score,
  roc_auc: num,
  pr_auc: num,
  curves: curvePointsSchema.optional(),
});

export const runMetricsSchema = z
  .object({
    format: z.number().optional(),
    selected_epoch: z.number().nullable().optional(),
    final: z
      .object({ loss: num.optional(), pixel: levelSummarySchema, image: levelSummarySchema })
      .nullable()
      .optional(),
    val_per_image: z
      .object({
        confusion: z.array(z.tuple([z.number(), z.number(), z.number(), z.number()])),
        labels: z.array(z.boolean()),
      })
      .passthrough()
      .nullable()
      .optional(),
  })
  .passthrough();

export type CurvePoints = z.infer<typeof curvePointsSchema>;
export type LevelSummary = z.infer<typeof levelSummarySchema>;
export type RunMetrics = z.infer<typeof runMetricsSchema>;
export type Level = "pixel" | "image";
export const levels: readonly Level[] = ["pixel", "image"];

/** The held-out evaluation of a run's selected epoch, or null (no validation set, or no metrics). */
export function parseRunMetrics(json: unknown): RunMetrics["final"] | null {
  const parsed = runMetricsSchema.safeParse(json);
  return parsed.success ? (parsed.data.final ?? null) : null;
}

/** Per-image pixel confusion counts of the held-out images (tp, fp, tn, fn), when the trainer stored them. */
export function parsePerImageConfusion(json: unknown): { tp: number; fp: number; tn: number; fn: number }[] | null {
  const parsed = runMetricsSchema.safeParse(json);
  const rows = parsed.success ? parsed.data.val_per_image?.confusion : null;
  return rows ? rows.map(([tp, fp, tn, fn]) => ({ tp, fp, tn, fn })) : null;
}
