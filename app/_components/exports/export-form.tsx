"use client";
import { useState, type FormEvent } from "react";
import { Button, ErrorNote } from "../ui";
import { ARCHIVE_LAYOUTS, DEFAULT_ARCHIVE_LAYOUT, type ArchiveLayoutId } from "@/lib/exports/archive-layout";

const LABELS = ["COVID", "CONTROL", "UNKNOWN"] as const;
const STAGES = [
  ["STAGE_I", "Stage I"],
  ["STAGE_II", "Stage II"],
] as const;

function Check({ label, checked, onChange }: { label: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <label className="mr-3 inline-flex items-center gap-1.5 text-sm">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      {label}
    </label>
  );
}

function toggle<T>(list: T[], v: T, on: boolean): T[] {
  return on ? [...list, v] : list.filter((x) => x !== v);
}

/** The export request: container, filters, and whether unaccepted images may be left out. */
export function ExportForm({
  sources,
  onSubmit,
}: {
  sources: string[];
  onSubmit: (options: Record<string, unknown>) => Promise<void>;
}) {
  const [format, setFormat] = useState<"tar" | "zip">("tar");
  const [layout, setLayout] = useState<ArchiveLayoutId>(DEFAULT_ARCHIVE_LAYOUT);
  const [labels, setLabels] = useState<string[]>([]);
  const [stages, setStages] = useState<string[]>([]);
  const [picked, setPicked] = useState<string[]>([]);
  const [acceptedAfter, setAcceptedAfter] = useState("");
  const [acceptedOnly, setAcceptedOnly] = useState(false);
  const [includeModels, setIncludeModels] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit({
        format,
        layout,
        acceptedOnly,
        includeModels,
        ...(labels.length ? { labels } : {}),
        ...(stages.length ? { stages } : {}),
        ...(picked.length ? { sources: picked } : {}),
        ...(acceptedAfter ? { acceptedAfter: new Date(acceptedAfter).toISOString() } : {}),
      });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="space-y-3" aria-label="New export">
      <fieldset>
        <legend className="mb-1 text-sm text-muted">Labels (none ticked: all)</legend>
        {LABELS.map((l) => (
          <Check key={l} label={l} checked={labels.includes(l)} onChange={(on) => setLabels(toggle(labels, l, on))} />
        ))}
      </fieldset>
      <fieldset>
        <legend className="mb-1 text-sm text-muted">Accepted in (none ticked: any stage)</legend>
        {STAGES.map(([v, l]) => (
          <Check key={v} label={l} checked={stages.includes(v)} onChange={(on) => setStages(toggle(stages, v, on))} />
        ))}
      </fieldset>
      {sources.length ? (
        <fieldset>
          <legend className="mb-1 text-sm text-muted">Sources (none ticked: all)</legend>
          {sources.map((s) => (
            <Check key={s} label={s} checked={picked.includes(s)} onChange={(on) => setPicked(toggle(picked, s, on))} />
          ))}
        </fieldset>
      ) : null}
      <div className="flex flex-wrap items-end gap-4">
        <label className="block space-y-1 text-sm">
          <span className="text-muted">Accepted after</span>
          <input
            type="date"
            value={acceptedAfter}
            onChange={(e) => setAcceptedAfter(e.target.value)}
            className="block rounded-md border border-line bg-panel-2 px-2 py-1.5"
          />
        </label>
        <label className="block space-y-1 text-sm">
          <span className="text-muted">Archive</span>
          <select
            value={format}
            onChange={(e) => setFormat(e.target.value as "tar" | "zip")}
            className="block rounded-md border border-line bg-panel-2 px-2 py-1.5"
          >
            <option value="tar">tar</option>
            <option value="zip">zip</option>
          </select>
        </label>
        <label className="block space-y-1 text-sm">
          <span className="text-muted">Layout</span>
          <select
            value={layout}
            onChange={(e) => setLayout(e.target.value as ArchiveLayoutId)}
            className="block rounded-md border border-line bg-panel-2 px-2 py-1.5"
          >
            {ARCHIVE_LAYOUTS.map((l) => (
              <option key={l.id} value={l.id} title={l.summary}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div>
        <Check
          label="Accepted only (leave out images without an accepted mask)"
          checked={acceptedOnly}
          onChange={setAcceptedOnly}
        />
        <Check label="Include trained models" checked={includeModels} onChange={setIncludeModels} />
      </div>
      <ErrorNote message={error} />
      <Button type="submit" disabled={busy}>
        {busy ? "Requesting…" : "Export dataset"}
      </Button>
    </form>
  );
}
