// Validation answers name the field and the limit, at the API edge (errorResponse) and for forms.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { errorResponse } from "@/lib/errors/http";
import { describeZodError } from "@/lib/errors/zod-message";
import { analyseQuerySchema } from "@/lib/ml/schema";
import { MAX_ANALYSE_MODELS } from "@/lib/ml/limits";

const fail = (schema: z.ZodType, value: unknown) => {
  const r = schema.safeParse(value);
  if (r.success) throw new Error("expected the parse to fail");
  return r.error;
};

describe("validation messages", () => {
  it("the analyse API refuses one model over the shared limit, naming the field and the limit", async () => {
    const runIds = Array.from({ length: MAX_ANALYSE_MODELS + 1 }, () => randomUUID()).join(",");
    const res = errorResponse(fail(analyseQuerySchema, { runIds }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; issues: { path: string }[] } };
    expect(body.error.message).toBe(`runIds: at most ${MAX_ANALYSE_MODELS} models at once`);
    expect(body.error.issues[0].path).toBe("runIds");
    // Exactly the limit passes.
    const ok = Array.from({ length: MAX_ANALYSE_MODELS }, () => randomUUID()).join(",");
    expect(analyseQuerySchema.parse({ runIds: ok }).runIds).toHaveLength(MAX_ANALYSE_MODELS);
  });

  it("adds the limit to range messages that do not give it", () => {
    const schema = z.object({
      name: z.string().max(5, "too long"),
      tags: z.array(z.string()).min(2, "too few"),
      n: z.number().gt(0, "must be positive"),
    });
    const { message, issues } = describeZodError(fail(schema, { name: "abcdefgh", tags: [], n: 0 }));
    expect(issues).toEqual([
      { path: "name", message: "too long (at most 5 characters)" },
      { path: "tags", message: "too few (at least 2 items)" },
      { path: "n", message: "must be positive (above 0)" },
    ]);
    expect(message).toBe(
      "name: too long (at most 5 characters); tags: too few (at least 2 items); n: must be positive (above 0)",
    );
  });

  it("keeps zod's own messages that already give the limit, and names the whole input when there is no field", () => {
    const { message } = describeZodError(fail(z.object({ threshold: z.number().max(1) }), { threshold: 2 }));
    expect(message).toMatch(/^threshold: .*1/);
    expect(message).not.toMatch(/\(at most/);
    expect(describeZodError(fail(z.string().min(3), "a")).message).toMatch(/^input: .*3/);
  });
});
