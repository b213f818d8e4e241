"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Button, ErrorNote, Field } from "@/app/_components/ui";
import { startClassifierTrainingAction } from "./actions";

const selectClass = "w-full rounded-md border border-line bg-panel-2 px-3 py-2";

/** The lead's choice of classifier and preset (epochs and size default to the preset's). */
export function ClassifierTrainingForm({
  projectId,
  classifiers,
  presets,
  folds,
}: {
  projectId: string;
  classifiers: readonly string[];
  presets: readonly { name: string; title: string; compute: string; description: string }[];
  folds: number;
}) {
  const [arch, setArch] = useState(classifiers[0]);
  const [preset, setPreset] = useState(presets.find((p) => p.compute === "cpu")?.name ?? presets[0].name);
  const [epochs, setEpochs] = useState("");
  const [size, setSize] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [pending, begin] = useTransition();
  const router = useRouter();
  const chosen = presets.find((p) => p.name === preset);
  const submit = () =>
    begin(async () => {
      setError(null);
      setDone(null);
      const r = await startClassifierTrainingAction(projectId, {
        arch,
        preset,
        ...(epochs ? { epochs: Number(epochs) } : {}),
        ...(size ? { size: Number(size) } : {}),
      });
      if (!r.ok) setError(r.error);
      else {
        setDone(`Started ${r.runs} fold runs of ${arch}.`);
        router.refresh();
      }
    });
  return (
    <form
      className="space-y-3"
      aria-label="Train a classifier"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <p className="text-sm text-muted">
        An image-level COVID-19 vs control classifier (Deep-COVID&apos;s baselines), trained on the images&apos; labels
        in {folds}-fold cross-validation by patient. It never proposes masks and never enters the vote.
      </p>
      <div className="grid gap-3 sm:grid-cols-2">
        <label className="block space-y-1 text-sm">
          <span className="text-muted">Classifier</span>
          <select name="arch" className={selectClass} value={arch} onChange={(e) => setArch(e.target.value)}>
            {classifiers.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label className="block space-y-1 text-sm">
          <span className="text-muted">Preset</span>
          <select name="preset" className={selectClass} value={preset} onChange={(e) => setPreset(e.target.value)}>
            {presets.map((p) => (
              <option key={p.name} value={p.name}>
                {p.title} ({p.compute.toUpperCase()})
              </option>
            ))}
          </select>
        </label>
        <Field
          label="Epochs (optional)"
          name="epochs"
          type="number"
          min={1}
          value={epochs}
          placeholder="preset's"
          onChange={(e) => setEpochs(e.target.value)}
        />
        <Field
          label="Image size in px (optional, multiple of 32)"
          name="size"
          type="number"
          min={32}
          step={32}
          value={size}
          placeholder="preset's"
          onChange={(e) => setSize(e.target.value)}
        />
      </div>
      {chosen ? <p className="text-xs text-muted">{chosen.description}</p> : null}
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={pending}>
          {pending ? "Starting…" : "Train classifier"}
        </Button>
        {done ? (
          <span className="text-sm text-ok" role="status">
            {done}
          </span>
        ) : null}
      </div>
      <ErrorNote message={error} />
    </form>
  );
}
