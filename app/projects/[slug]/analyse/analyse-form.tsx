"use client";
import { useState, type FormEvent } from "react";
import { Button, Card, ErrorNote } from "@/app/_components/ui";
import { OverlayViewer } from "@/app/_components/viewer/overlay-viewer";
import { JetLegend, type LegendStop } from "@/app/_components/viewer/jet-legend";
import { ClassifierMaps, type ClassifierOutput } from "./classifier-maps";
import { DetectionTable, type AnalysedMap } from "./detection-table";
import { MAX_ANALYSE_MODELS } from "@/lib/ml/limits";

type Model = { id: string; label: string; task: "segment" | "classify" };
type Result = {
  width: number;
  height: number;
  displayWidth: number;
  displayHeight: number;
  threshold: number;
  cxr: string;
  models: (AnalysedMap & { id: string; label: string })[];
  ensemble: AnalysedMap | null;
  classifiers: ClassifierOutput[];
};

/** Upload → chosen models → detection per model and ensemble, and the infection map over the CXR. */
export function AnalyseForm({
  projectId,
  models,
  defaultThreshold,
  legend,
}: {
  projectId: string;
  models: Model[];
  defaultThreshold: number;
  legend: LegendStop[];
}) {
  const [file, setFile] = useState<File | null>(null);
  const [chosen, setChosen] = useState<string[]>(models.slice(0, 1).map((m) => m.id));
  const [threshold, setThreshold] = useState(defaultThreshold);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [shown, setShown] = useState<string>("ensemble");

  if (!models.length)
    return (
      <p className="text-sm text-muted" data-testid="no-models">
        No trained model yet: train a round first.
      </p>
    );

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!file || !chosen.length) return;
    setBusy(true);
    setError(null);
    try {
      const q = new URLSearchParams({ runIds: chosen.join(","), threshold: String(threshold) });
      const r = await fetch(`/api/projects/${projectId}/analyse?${q}`, {
        method: "POST",
        body: file,
        headers: { "content-type": "application/octet-stream" },
      });
      const body = await r.json();
      if (!r.ok) throw new Error(body?.error?.message ?? `Analysis failed (${r.status})`);
      setResult(body as Result);
      setShown((body as Result).ensemble ? "ensemble" : ((body as Result).models[0]?.id ?? ""));
    } catch (err) {
      setError((err as Error).message);
      setResult(null);
    } finally {
      setBusy(false);
    }
  }

  const maps = result
    ? [
        ...(result.ensemble ? [{ key: "ensemble", label: "Ensemble (mean)", map: result.ensemble.map }] : []),
        ...result.models.map((m) => ({ key: m.id, label: m.label, map: m.map })),
      ]
    : [];
  const current = maps.find((m) => m.key === shown) ?? maps[0];

  return (
    <div className="space-y-4">
      <Card title="Image and models">
        <form onSubmit={submit} className="space-y-3" aria-label="Analyse a CXR">
          <label className="block space-y-1 text-sm">
            <span className="text-muted">Chest X-ray (PNG, JPEG or DICOM)</span>
            <input
              type="file"
              name="cxr"
              accept=".png,.jpg,.jpeg,.dcm,image/png,image/jpeg,application/dicom"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              className="block text-sm"
            />
          </label>
          <fieldset className="space-y-1 text-sm">
            <legend className="text-muted">
              Models (several: also their ensemble; up to {MAX_ANALYSE_MODELS} at once)
            </legend>
            <p className="text-xs text-muted" data-testid="models-chosen">
              {chosen.length} of at most {MAX_ANALYSE_MODELS} chosen
            </p>
            {models.map((m) => (
              <label key={m.id} className="flex items-center gap-2">
                <input
                  type="checkbox"
                  checked={chosen.includes(m.id)}
                  disabled={!chosen.includes(m.id) && chosen.length >= MAX_ANALYSE_MODELS}
                  title={
                    !chosen.includes(m.id) && chosen.length >= MAX_ANALYSE_MODELS
                      ? `At most ${MAX_ANALYSE_MODELS} models at once: untick one first`
                      : undefined
                  }
                  onChange={(e) =>
                    setChosen(
                      e.target.checked
                        ? [...chosen, m.id].slice(0, MAX_ANALYSE_MODELS)
                        : chosen.filter((x) => x !== m.id),
                    )
                  }
                />
                {m.label}
                {m.task === "classify" ? " · classifier (probability, activation and occlusion maps)" : ""}
              </label>
            ))}
          </fieldset>
          <label className="flex items-center gap-2 text-sm">
            <span className="text-muted">Detection threshold</span>
            <input
              type="number"
              min={0.01}
              max={1}
              step={0.01}
              value={threshold}
              onChange={(e) => setThreshold(Number(e.target.value))}
              className="w-20 rounded border border-line bg-panel-2 px-2 py-1"
            />
          </label>
          <Button type="submit" disabled={busy || !file || !chosen.length}>
            {busy ? "Analysing…" : "Analyse"}
          </Button>
          <ErrorNote message={error} />
        </form>
      </Card>
      {result ? (
        <Card title="Result">
          <div className="space-y-4" data-testid="analyse-result">
            {current ? (
              <>
                <DetectionTable models={result.models} ensemble={result.ensemble} threshold={result.threshold} />
                {maps.length > 1 ? (
                  <label className="flex items-center gap-2 text-sm">
                    <span className="text-muted">Infection map of</span>
                    <select
                      value={current.key}
                      onChange={(e) => setShown(e.target.value)}
                      className="rounded border border-line bg-panel-2 px-2 py-1"
                    >
                      {maps.map((m) => (
                        <option key={m.key} value={m.key}>
                          {m.label}
                        </option>
                      ))}
                    </select>
                  </label>
                ) : null}
                <OverlayViewer
                  baseSrc={result.cxr}
                  overlaySrc={current.map}
                  width={result.displayWidth}
                  height={result.displayHeight}
                  alt="Analysed CXR"
                />
              </>
            ) : null}
            {result.classifiers.length ? <ClassifierMaps {...result} /> : null}
            <JetLegend stops={legend} />
          </div>
        </Card>
      ) : null}
    </div>
  );
}
