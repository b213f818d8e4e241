"use client";
import { useState, useTransition } from "react";
import { Button, ErrorNote } from "@/app/_components/ui";
import { deidOptionList, type DeidOptionKey } from "@/lib/images/dicom/deid-options";
import type { IngestSettings } from "@/lib/projects/schema";
import { saveIngestSettingsAction } from "./actions";

/** What ingest does with DICOM from now on: accepted modalities and the Table E.1-1 options. */
export function IngestSettingsForm({ projectId, initial }: { projectId: string; initial: IngestSettings }) {
  const [modalities, setModalities] = useState(initial.modalities.accepted.join(", "));
  const [otherwise, setOtherwise] = useState(initial.modalities.otherwise);
  const [deid, setDeid] = useState(initial.deid);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();
  const save = () =>
    start(async () => {
      const r = await saveIngestSettingsAction(projectId, {
        modalities: { accepted: modalities.split(/[\s,]+/).filter(Boolean), otherwise },
        deid,
      });
      setMessage(
        r.ok
          ? { ok: true, text: "Saved: files imported from now on follow these settings." }
          : { ok: false, text: r.error },
      );
    });
  return (
    <details className="rounded-lg border border-line bg-panel p-4" data-testid="ingest-settings">
      <summary className="cursor-pointer text-sm font-medium">DICOM ingest settings</summary>
      <div className="mt-3 space-y-3 text-sm">
        <label className="block space-y-1">
          <span className="text-muted">Accepted modalities (DICOM codes, comma-separated)</span>
          <input
            className="w-full rounded-md border border-line bg-panel-2 px-3 py-2"
            value={modalities}
            onChange={(e) => setModalities(e.target.value)}
            data-testid="ingest-modalities"
          />
        </label>
        <label className="block space-y-1">
          <span className="text-muted">Other modalities</span>
          <select
            className="w-full rounded-md border border-line bg-panel-2 px-3 py-2"
            value={otherwise}
            onChange={(e) => setOtherwise(e.target.value as "REFUSE" | "FLAG")}
          >
            <option value="REFUSE">refuse them</option>
            <option value="FLAG">import them, flagged</option>
          </select>
        </label>
        <p className="text-muted">De-identification: every row of PS3.15 Table E.1-1 (Basic Profile), plus:</p>
        {deidOptionList.map((o) => (
          <label key={o.key} className="flex items-center gap-2">
            <input
              type="checkbox"
              checked={deid[o.key as DeidOptionKey]}
              onChange={(e) => setDeid({ ...deid, [o.key]: e.target.checked })}
              data-testid={`ingest-deid-${o.key}`}
            />
            <span>{o.label}</span>
            <span className="text-muted">({o.code})</span>
          </label>
        ))}
        <ErrorNote message={message && !message.ok ? message.text : null} />
        {message?.ok ? <p className="text-muted">{message.text}</p> : null}
        <Button type="button" disabled={pending} onClick={save}>
          {pending ? "Saving…" : "Save ingest settings"}
        </Button>
      </div>
    </details>
  );
}
