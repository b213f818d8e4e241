import { z } from "zod";
import { classifierArchs } from "../ml/networks";
import { classifierPresetNames } from "../ml/presets";

export const selectSubsetSchema = z
  .object({
    size: z.number().int().positive().optional(),
    fraction: z.number().gt(0).max(1).optional(),
    seed: z.number().int().min(0).optional(),
  })
  .refine((v) => v.size !== undefined || v.fraction !== undefined, "give a size or a fraction");

export const editSubsetSchema = z.object({
  add: z.array(z.string().uuid()).max(10_000).default([]),
  remove: z.array(z.string().uuid()).max(10_000).default([]),
});

export const resolveDisputeSchema = z.object({
  imageId: z.string().uuid(),
  candidateId: z.string().uuid().nullable(),
});

/** Training an image-level classifier (COVID-19 vs control) in k-fold CV; empty overrides keep the preset's. */
export const startClassifierTrainingSchema = z.object({
  arch: z.enum(classifierArchs),
  preset: z.enum(classifierPresetNames as [string, ...string[]]),
  epochs: z.number().int().min(1).max(1000).optional(),
  size: z.number().int().min(32).max(1024).multipleOf(32).optional(),
});
