"use server";
import { action, type ActionResult as Result } from "@/app/_lib/action";
import { deidOptionList } from "@/lib/images/dicom/deid-options";
import { createProject } from "@/lib/projects/mutations";
import { createProjectSchema } from "@/lib/projects/schema";
import { presetNetworks, presetTrainConfig, trainingPresetNames } from "@/lib/ml/presets";

export type ActionResult = Result<{ slug: string }>;

const create = action(createProjectSchema, async (user, input) => ({ slug: (await createProject(user, input)).slug }));

export async function createProjectAction(_: ActionResult | null, form: FormData): Promise<ActionResult> {
  return create({
    name: form.get("name"),
    slug: form.get("slug"),
    description: form.get("description") ?? "",
    settings: {
      votesPerImage: Number(form.get("votesPerImage") ?? 1),
      // A missing field takes the schema's default; an unknown value is refused by the schema, never coerced.
      selectionMode: form.get("selectionMode") ?? undefined,
      inferencePrecision: form.get("inferencePrecision") ?? undefined,
      s1Size: form.get("s1Size") ? Number(form.get("s1Size")) : null,
      ...(form.get("preset") ? presetSettings(String(form.get("preset"))) : {}),
    },
    ingest: {
      modalities: {
        accepted: String(form.get("acceptedModalities") ?? "CR, DX")
          .split(/[\s,]+/)
          .filter(Boolean),
        otherwise: form.get("otherModalities") ?? "REFUSE",
      },
      deid: Object.fromEntries(deidOptionList.map((o) => [o.key, form.get(`deid.${o.key}`) === "on"])),
    },
  });
}

/** A known preset's training settings and networks; an unknown name goes to the schema as it is, which refuses it by name. */
function presetSettings(name: string) {
  return trainingPresetNames.includes(name)
    ? { trainConfig: presetTrainConfig(name), ...presetNetworks(name) }
    : { trainConfig: { preset: name } };
}
