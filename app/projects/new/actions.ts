"use server";
import { requireUser } from "@/app/_lib/session";
import { createProject } from "@/lib/projects/mutations";
import { createProjectSchema } from "@/lib/projects/schema";
import { isAppError } from "@/lib/errors/app-error";
import { presetTrainConfig } from "@/lib/ml/presets";

export type ActionResult = { ok: true; slug: string } | { ok: false; error: string };

export async function createProjectAction(_: ActionResult | null, form: FormData): Promise<ActionResult> {
  try {
    const user = await requireUser();
    const input = createProjectSchema.parse({
      name: form.get("name"),
      slug: form.get("slug"),
      description: form.get("description") ?? "",
      settings: {
        votesPerImage: Number(form.get("votesPerImage") ?? 1),
        selectionMode: form.get("selectionMode") === "PAIRWISE" ? "PAIRWISE" : "NWAY",
        s1Size: form.get("s1Size") ? Number(form.get("s1Size")) : null,
        ...(form.get("preset") ? { trainConfig: presetTrainConfig(String(form.get("preset"))) } : {}),
      },
    });
    const p = await createProject(user, input);
    return { ok: true, slug: p.slug };
  } catch (e) {
    if (isAppError(e)) return { ok: false, error: e.message };
    if (e && typeof e === "object" && "issues" in e) {
      const issues = (e as { issues: { path: PropertyKey[]; message: string }[] }).issues;
      return { ok: false, error: issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
    }
    throw e;
  }
}
