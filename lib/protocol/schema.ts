import { z } from "zod";

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
