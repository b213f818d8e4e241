"use client";
import { useEffect, useState, useTransition } from "react";
import { DashboardTableHead } from "./table-head";
import { Badge, Button, Card } from "@/app/_components/ui";
import { ProgressBar } from "@/app/_components/charts/progress-bar";
import type { JobRow, LiveStatus, RunRow } from "@/lib/dashboard/types";
import { retryJobAction } from "@/app/_actions/dashboard";
import { ago, duration, num } from "./format";
import { foldLabel } from "@/lib/ml/fold";

const POLL_MS = 5000;

function RunLine({ r }: { r: RunRow }) {
  const p = r.progress;
  const tone = r.status === "FAILED" ? "bad" : r.status === "SUCCEEDED" ? "ok" : "accent";
  const name = `${r.arch} · ${r.encoder}${r.fold === null ? "" : ` · ${foldLabel(r.fold)}`}`;
  const detail =
    r.status === "FAILED"
      ? (p?.error ?? "failed")
      : r.status === "RUNNING" && p
        ? [
            p.epoch !== null ? `epoch ${p.epoch}/${p.epochs ?? "?"}` : null,
            p.step !== null ? `step ${p.step}/${p.steps ?? "?"}` : null,
            p.loss !== null ? `loss ${p.loss.toFixed(4)}` : null,
            p.etaSeconds !== null ? `ETA ${duration(p.etaSeconds)}` : null,
          ]
            .filter(Boolean)
            .join(" · ")
        : r.status.toLowerCase();
  return (
    <li className="space-y-1 text-sm">
      <div className="flex items-baseline justify-between gap-3">
        <span className="truncate">{name}</span>
        <span className={`truncate text-xs ${r.status === "FAILED" ? "text-bad" : "text-muted"}`} title={detail}>
          {detail}
        </span>
      </div>
      <ProgressBar
        value={r.status === "QUEUED" ? 0 : (p?.fraction ?? (r.status === "SUCCEEDED" ? 1 : null))}
        label={`Training ${name}`}
        tone={tone}
      />
    </li>
  );
}

function JobLine({ j, onRetry, busy }: { j: JobRow; onRetry: (id: string) => void; busy: boolean }) {
  const tone = j.status === "FAILED" ? "bad" : j.status === "RUNNING" ? "ok" : "default";
  return (
    <tr className="border-b border-line/50">
      <th scope="row" className="py-1.5 pr-3 text-left font-normal">
        {j.name}
      </th>
      <td className="pr-3">
        <Badge tone={tone}>{j.status.toLowerCase()}</Badge>
      </td>
      <td className="pr-3 tabular-nums">
        {j.attempts}/{j.maxAttempts}
      </td>
      <td className="max-w-xs truncate pr-3 text-xs text-muted" title={j.lastError ?? undefined}>
        {j.lastError ?? ""}
      </td>
      <td className="py-1 text-right">
        {j.status === "FAILED" ? (
          <Button variant="ghost" disabled={busy} onClick={() => onRetry(j.id)}>
            Retry
          </Button>
        ) : null}
      </td>
    </tr>
  );
}

/** Training progress, jobs and workers, refreshed every few seconds. */
export function LivePanel({ projectId, initial }: { projectId: string; initial: LiveStatus }) {
  const [live, setLive] = useState(initial);
  const [stale, setStale] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, start] = useTransition();

  useEffect(() => {
    let stopped = false;
    const tick = async () => {
      try {
        const r = await fetch(`/api/projects/${projectId}/dashboard/live`, { cache: "no-store" });
        if (!r.ok) throw new Error(String(r.status));
        const next = (await r.json()) as LiveStatus;
        if (!stopped) {
          setLive(next);
          setStale(false);
        }
      } catch {
        if (!stopped) setStale(true);
      }
    };
    const id = setInterval(tick, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(id);
    };
  }, [projectId]);

  const retry = (jobId: string) =>
    start(async () => {
      setError(null);
      const r = await retryJobAction(projectId, jobId);
      if (!r.ok) setError(r.error);
      else
        setLive((l) => ({
          ...l,
          jobs: l.jobs.map((j) => (j.id === jobId ? { ...j, status: "QUEUED", attempts: 0, lastError: null } : j)),
        }));
    });

  return (
    <Card
      title="Live"
      actions={
        <span className="text-xs text-muted" aria-live="polite">
          {stale ? "Connection lost, retrying…" : `Updated ${live.at.slice(11, 19)} UTC`}
        </span>
      }
    >
      <div className="grid gap-6 lg:grid-cols-2">
        <section aria-label="Training runs" className="space-y-2">
          <h3 className="text-sm font-medium">Training runs (current round)</h3>
          {live.runs.length ? (
            <ul className="space-y-2">
              {live.runs.map((r) => (
                <RunLine key={r.id} r={r} />
              ))}
            </ul>
          ) : (
            <p className="text-sm text-muted">No runs in the current round.</p>
          )}
        </section>
        <section aria-label="Jobs and workers" className="space-y-3">
          <h3 className="text-sm font-medium">Jobs</h3>
          <p className="flex flex-wrap gap-2 text-xs" data-testid="job-counts">
            {["QUEUED", "RUNNING", "FAILED", "SUCCEEDED", "CANCELLED"].map((s) => (
              <Badge key={s} tone={s === "FAILED" && live.jobCounts[s] ? "bad" : "default"}>
                {s.toLowerCase()} {num(live.jobCounts[s] ?? 0)}
              </Badge>
            ))}
          </p>
          {error ? (
            <p role="alert" className="text-sm text-bad">
              {error}
            </p>
          ) : null}
          {live.jobs.length ? (
            <table className="w-full text-sm">
              <caption className="sr-only">Queued, running and failed jobs</caption>
              <DashboardTableHead
                columns={[
                  "Job",
                  "Status",
                  "Attempts",
                  "Last error",
                  <span key="action" className="sr-only">
                    Action
                  </span>,
                ]}
                tight
              />
              <tbody>
                {live.jobs.map((j) => (
                  <JobLine key={j.id} j={j} onRetry={retry} busy={busy} />
                ))}
              </tbody>
            </table>
          ) : (
            <p className="text-sm text-muted">Nothing queued, running or failed.</p>
          )}
          <h3 className="text-sm font-medium">Workers</h3>
          {live.workers.length ? (
            <ul className="space-y-1 text-sm">
              {live.workers.map((w) => (
                <li key={w.id} className="flex flex-wrap items-center gap-2">
                  <span aria-hidden className="inline-block h-2 w-2 rounded-full bg-ok" />
                  <span>{w.hostname}</span>
                  {w.gpu ? <Badge>{w.gpu}</Badge> : null}
                  <span className="text-xs text-muted">
                    {w.jobNames.join(", ")} · heartbeat {ago(w.heartbeatAt, live.at)}
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="text-sm text-warn">No worker has sent a heartbeat in the last 2 minutes.</p>
          )}
        </section>
      </div>
    </Card>
  );
}
