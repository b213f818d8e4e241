import { z } from "zod";

/**
 * A detection rule calibrated on out-of-fold predictions (the trainer's metrics.json):
 * "component": a connected component of ≥ minArea at prob ≥ threshold; "presence": the presence
 * head's probability ≥ threshold (models with the head; rules from before it are "component").
 */
export type DetectionRule = {
  kind: "component" | "presence";
  threshold: number;
  minArea: number;
  targetSensitivity: number;
  source: string;
  sensitivity: number | null;
  specificity: number | null;
};

const rate = z.object({ value: z.number().nullable() }).passthrough();
const calibratedSchema = z
  .object({
    kind: z.enum(["component", "presence"]).default("component"),
    threshold: z.number().min(0).max(1),
    min_area: z.number().min(0).max(1),
    target_sensitivity: z.number(),
    sensitivity: rate,
    specificity: rate,
  })
  .passthrough();
const reportSchema = z.object({ source: z.string(), calibrated: calibratedSchema.nullable() }).passthrough();
const cardSchema = z
  .object({
    detection_oof: reportSchema.nullish(),
    detection: reportSchema.nullish(),
    spec: z.object({ size: z.number().int().positive() }).passthrough().nullish(),
    onnx: z
      .object({ input_shape: z.array(z.union([z.string(), z.number()])) })
      .passthrough()
      .nullish(),
  })
  .passthrough();

/**
 * The rule stored with a model: calibrated on all out-of-fold predictions of its
 * cross-validation when there is one, otherwise on the run's own monitor split; null for
 * models trained before calibration existed (the paper's any-pixel rule then applies).
 */
export function detectionRuleFromMetrics(metrics: unknown): DetectionRule | null {
  const card = cardSchema.safeParse(metrics);
  if (!card.success) return null;
  const report = card.data.detection_oof?.calibrated ? card.data.detection_oof : card.data.detection;
  const c = report?.calibrated;
  if (!report || !c) return null;
  return {
    kind: c.kind,
    threshold: c.threshold,
    minArea: c.min_area,
    targetSensitivity: c.target_sensitivity,
    source: report.source,
    sensitivity: c.sensitivity.value,
    specificity: c.specificity.value,
  };
}

/** The network input size the trainer recorded (spec.size, or the ONNX input shape), or null. */
export function inputSizeFromMetrics(metrics: unknown): number | null {
  const card = cardSchema.safeParse(metrics);
  if (!card.success) return null;
  const shape = card.data.onnx?.input_shape;
  const fromShape = shape && typeof shape[3] === "number" ? shape[3] : null;
  return card.data.spec?.size ?? fromShape;
}
