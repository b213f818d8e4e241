"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button, ErrorNote } from "../ui";
import { foldLabel } from "@/lib/ml/fold";

type Candidate = {
  candidateId: string;
  kind: string;
  model: { arch: string; encoder: string; fold: number | null } | null;
  votes: number;
};

/** The lead's view of a tied image: every candidate with its (now revealed) source and votes. */
export function ResolveDispute({
  imageId,
  candidates,
  backHref,
}: {
  imageId: string;
  candidates: Candidate[];
  backHref: string;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const router = useRouter();
  async function decide(candidateId: string | null) {
    setBusy(true);
    setError(null);
    const r = await fetch(`/api/images/${imageId}/resolve`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ candidateId }),
    });
    setBusy(false);
    if (r.ok) router.push(backHref);
    else setError((await r.json().catch(() => null))?.error?.message ?? `Failed (${r.status})`);
  }
  return (
    <div className="space-y-3">
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        {candidates.map((c) => (
          <figure key={c.candidateId} className="rounded-lg border border-line bg-panel p-2">
            <div className="relative">
              {/* eslint-disable-next-line @next/next/no-img-element */}
              <img src={`/api/images/${imageId}/working`} alt="Chest X-ray" className="w-full" />
              {/* eslint-disable-next-line @next/next/no-img-element */}
              <img
                src={`/api/images/${imageId}/candidates/${c.candidateId}`}
                alt=""
                className="absolute inset-0 h-full w-full opacity-45 mix-blend-screen"
                style={{ filter: "sepia(1) saturate(6) hue-rotate(-20deg)" }}
              />
            </div>
            <figcaption className="mt-2 text-sm">
              <span className="font-medium">
                {c.kind === "MACHINE" && c.model
                  ? `${c.model.arch}/${c.model.encoder}${c.model.fold !== null ? ` ${foldLabel(c.model.fold)}` : ""}`
                  : c.kind.toLowerCase()}
              </span>
              <span className="ml-2 text-muted">
                {c.votes} vote{c.votes === 1 ? "" : "s"}
              </span>
            </figcaption>
            <Button className="mt-2 w-full" disabled={busy} onClick={() => decide(c.candidateId)}>
              Accept this mask
            </Button>
          </figure>
        ))}
      </div>
      <Button variant="danger" disabled={busy} onClick={() => decide(null)}>
        None is acceptable: send to redraw
      </Button>
      <ErrorNote message={error} />
    </div>
  );
}
