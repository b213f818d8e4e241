import { z } from "zod";

export const castVoteSchema = z
  .object({
    /** 1-based position in the order this voter was shown; null = none is acceptable. */
    choice: z.number().int().min(1).max(20).nullable(),
    durationMs: z
      .number()
      .int()
      .min(0)
      .max(24 * 3600_000),
    idempotencyKey: z.string().min(8).max(100),
    // Strict: pairwise duels are recorded one by one on the server (recordDuel), so a client that
    // still sends its own `duels` is told so instead of having them silently ignored.
  })
  .strict();
export type CastVoteInput = z.input<typeof castVoteSchema>;

export const duelSchema = z.object({
  a: z.number().int().min(1).max(20),
  b: z.number().int().min(1).max(20),
  winner: z.number().int().min(1).max(20),
});
export type DuelInput = z.input<typeof duelSchema>;

export const ballotNextSchema = z.object({
  exclude: z.array(z.string().uuid()).max(5).default([]),
  /** A preloaded ballot holds nothing until the page shows it (then it takes the lease). */
  preload: z.boolean().default(false),
});
