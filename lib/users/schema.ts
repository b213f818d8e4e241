import { z } from "zod";

/** A new account, from the admin page's API or `tandem user add`. */
export const createUserSchema = z.object({
  email: z.string().email(),
  name: z.string().trim().min(1).max(120),
  // Omitted: a single sign-on account with no password (the hospital's MFA and offboarding apply).
  password: z.string().min(10).max(200).optional(),
  isAdmin: z.boolean().default(false),
});
