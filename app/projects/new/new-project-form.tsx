"use client";
import { useActionState, useEffect } from "react";
import { useRouter } from "next/navigation";
import { createProjectAction, type ActionResult } from "./actions";
import { Button, ErrorNote, Field } from "@/app/_components/ui";
import { deidOptionList } from "@/lib/images/dicom/deid-options";
import { trainingPresets } from "@/lib/ml/presets";
import {
  inferencePrecisionLabels,
  inferencePrecisions,
  selectionModeLabels,
  selectionModes,
} from "@/lib/projects/enums";

export function NewProjectForm({ defaults }: { defaults: { preset: string; why: string } }) {
  const [state, action, pending] = useActionState<ActionResult | null, FormData>(createProjectAction, null);
  const router = useRouter();
  useEffect(() => {
    if (state?.ok) router.push(`/projects/${state.slug}`);
  }, [state, router]);
  return (
    <form action={action} className="space-y-4 rounded-lg border border-line bg-panel p-5">
      <Field label="Name" name="name" required placeholder="QaTa-COV19 infection masks" />
      <Field
        label="Address"
        name="slug"
        required
        pattern="[a-z0-9-]+"
        placeholder="qata-cov19"
        hint="Lower-case letters, digits and dashes."
      />
      <Field label="Description" name="description" />
      <div className="grid grid-cols-3 gap-3">
        <Field label="Stage-I subset size" name="s1Size" type="number" min={1} placeholder="500" />
        <Field label="Votes per image" name="votesPerImage" type="number" min={1} max={9} defaultValue={1} />
        <label className="block space-y-1 text-sm">
          <span className="text-muted">Stage-I selection</span>
          <select name="selectionMode" className="w-full rounded-md border border-line bg-panel-2 px-3 py-2">
            {selectionModes.map((m) => (
              <option key={m} value={m}>
                {selectionModeLabels[m]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <fieldset className="space-y-3 rounded-md border border-line p-3" data-testid="ingest-settings">
        <legend className="px-1 text-sm text-muted">DICOM ingest</legend>
        <div className="grid grid-cols-2 gap-3">
          <Field
            label="Accepted modalities"
            name="acceptedModalities"
            defaultValue="CR, DX"
            hint="DICOM codes, comma-separated."
          />
          <label className="block space-y-1 text-sm">
            <span className="text-muted">Other modalities</span>
            <select
              name="otherModalities"
              className="w-full rounded-md border border-line bg-panel-2 px-3 py-2"
              defaultValue="REFUSE"
            >
              <option value="REFUSE">refuse them</option>
              <option value="FLAG">import them, flagged</option>
            </select>
          </label>
        </div>
        <p className="text-sm text-muted">
          De-identification: PS3.15 Table E.1-1 Basic Profile, plus these options (all off by default):
        </p>
        {deidOptionList.map((o) => (
          <label key={o.key} className="flex items-center gap-2 text-sm">
            <input type="checkbox" name={`deid.${o.key}`} data-testid={`deid-${o.key}`} />
            <span>{o.label}</span>
            <span className="text-muted">
              ({o.meaning}, {o.code})
            </span>
          </label>
        ))}
      </fieldset>
      <label className="block space-y-1 text-sm">
        <span className="text-muted">Training preset (chosen by the compute you have)</span>
        <select
          name="preset"
          defaultValue={defaults.preset}
          className="w-full rounded-md border border-line bg-panel-2 px-3 py-2"
          data-testid="preset"
        >
          {trainingPresets.map((p) => (
            <option key={p.name} value={p.name} title={p.description}>
              {p.title} ({p.name})
            </option>
          ))}
        </select>
        <span className="block text-xs text-muted" data-testid="preset-default">
          Default {defaults.preset}: {defaults.why}.
        </span>
      </label>
      <label className="block space-y-1 text-sm">
        <span className="text-muted">Prediction precision</span>
        <select
          name="inferencePrecision"
          defaultValue="FLOAT32"
          className="w-full rounded-md border border-line bg-panel-2 px-3 py-2"
          data-testid="inference-precision"
        >
          {inferencePrecisions.map((p) => (
            <option key={p} value={p}>
              {inferencePrecisionLabels[p]}
            </option>
          ))}
        </select>
      </label>
      <ErrorNote message={state && !state.ok ? state.error : null} />
      <Button type="submit" disabled={pending}>
        {pending ? "Creating…" : "Create project"}
      </Button>
    </form>
  );
}
