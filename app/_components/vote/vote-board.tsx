"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import { CandidateCanvas, type Look } from "./candidate-canvas";
import { fetchBallot, submitVote, type LoadedBallot } from "./ballot-loader";
import { Button, ErrorNote } from "../ui";

const initialLook: Look = { brightness: 1, contrast: 1, invert: false, zoom: 1, panX: 0, panY: 0 };
type Duel = { a: number; b: number; winner: number };

/** Blinded selection: candidates by position only, keyboard first, next ballot preloaded. */
export function VoteBoard({ projectId }: { projectId: string }) {
  const [current, setCurrent] = useState<LoadedBallot | null>(null);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [choice, setChoice] = useState<number | null | undefined>(undefined);
  const [look, setLook] = useState<Look>(initialLook);
  const [layout, setLayout] = useState<"grid" | "flip">("grid");
  const [flip, setFlip] = useState(0);
  const [duel, setDuel] = useState<{ a: number; b: number; next: number; log: Duel[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const nextRef = useRef<Promise<LoadedBallot | null> | null>(null);
  const shownAt = useRef(0);
  const keyRef = useRef<string | null>(null);
  const drag = useRef<{ x: number; y: number } | null>(null);

  const show = useCallback((b: LoadedBallot | null) => {
    setCurrent(b);
    setDone(!b);
    setChoice(undefined);
    setFlip(0);
    keyRef.current = null;
    shownAt.current = performance.now();
    setDuel(b && b.view.mode === "PAIRWISE" && b.masks.length > 1 ? { a: 1, b: 2, next: 3, log: [] } : null);
    nextRef.current = b ? fetchBallot(projectId, [b.view.ballotId]) : null;
    nextRef.current?.catch(() => undefined);
  }, [projectId]);

  useEffect(() => {
    fetchBallot(projectId, []).then(show, (e) => setError(e.message));
  }, [projectId, show]);

  const submit = useCallback(async () => {
    if (!current || choice === undefined || busy) return;
    setBusy(true);
    setError(null);
    keyRef.current ??= crypto.randomUUID();
    try {
      await submitVote(current.view.ballotId, {
        choice,
        durationMs: Math.round(performance.now() - shownAt.current),
        idempotencyKey: keyRef.current,
        duels: duel?.log,
      });
      const next = await (nextRef.current ?? fetchBallot(projectId, []));
      show(next && next.view.ballotId !== current.view.ballotId ? next : await fetchBallot(projectId, [current.view.ballotId]));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }, [current, choice, busy, duel, projectId, show]);

  const pickInDuel = useCallback((winner: number) => {
    if (!duel || !current) return;
    const log = [...duel.log, { a: duel.a, b: duel.b, winner }];
    if (duel.next > current.masks.length) {
      setDuel({ ...duel, log });
      setChoice(winner);
    } else {
      setDuel({ a: winner, b: duel.next, next: duel.next + 1, log });
    }
  }, [duel, current]);

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (!current || (e.target as HTMLElement)?.tagName === "INPUT") return;
      const n = current.masks.length;
      const digit = Number(e.key);
      if (duel && choice === undefined) {
        if (e.key === "1" || e.key === "ArrowLeft") pickInDuel(duel.a);
        else if (e.key === "2" || e.key === "ArrowRight") pickInDuel(duel.b);
        else if (e.key === "0" || e.key.toLowerCase() === "n") setChoice(null);
        return;
      }
      if (digit >= 1 && digit <= n) setChoice(digit);
      else if (e.key === "0" || e.key.toLowerCase() === "n") setChoice(null);
      else if (e.key === "ArrowRight") { const f = (flip + 1) % n; setFlip(f); if (layout === "flip") setChoice(f + 1); }
      else if (e.key === "ArrowLeft") { const f = (flip - 1 + n) % n; setFlip(f); if (layout === "flip") setChoice(f + 1); }
      else if (e.key === "Enter") void submit();
      else if (e.key.toLowerCase() === "v") setLayout((l) => (l === "grid" ? "flip" : "grid"));
      else if (e.key.toLowerCase() === "i") setLook((l) => ({ ...l, invert: !l.invert }));
      else if (e.key.toLowerCase() === "f") setLook((l) => ({ ...l, zoom: 1, panX: 0, panY: 0 }));
      else return;
      e.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [current, duel, choice, flip, layout, submit, pickInDuel]);

  if (error && !current) return <ErrorNote message={error} />;
  if (done) return <p className="rounded-lg border border-line bg-panel p-6 text-muted" data-testid="vote-done">Nothing left to vote on. Thank you.</p>;
  if (!current) return <p className="text-muted" aria-live="polite">Loading the next image…</p>;

  const positions = duel && choice === undefined ? [duel.a, duel.b] : layout === "flip" ? [flip + 1] : current.masks.map((_, i) => i + 1);
  const cols = positions.length <= 2 ? "grid-cols-2" : positions.length <= 4 ? "grid-cols-2 lg:grid-cols-4" : "grid-cols-3 lg:grid-cols-5";

  return (
    <div className="space-y-3" data-testid="vote-board" data-ballot={current.view.ballotId}>
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <span className="text-muted">{duel && choice === undefined ? "Which is better? 1 or 2 (← →)" : "Pick the best mask: 1–" + current.masks.length + ", 0 = none acceptable, Enter to confirm"}</span>
        <label className="flex items-center gap-1 text-muted">Brightness
          <input type="range" min={0.3} max={2} step={0.05} value={look.brightness} onChange={(e) => setLook({ ...look, brightness: Number(e.target.value) })} />
        </label>
        <label className="flex items-center gap-1 text-muted">Contrast
          <input type="range" min={0.3} max={3} step={0.05} value={look.contrast} onChange={(e) => setLook({ ...look, contrast: Number(e.target.value) })} />
        </label>
        <Button variant="ghost" onClick={() => setLook({ ...look, invert: !look.invert })}>Invert (I)</Button>
        <Button variant="ghost" onClick={() => setLayout(layout === "grid" ? "flip" : "grid")}>{layout === "grid" ? "Flip through (V)" : "Side by side (V)"}</Button>
      </div>
      <div
        className={`grid gap-2 ${cols}`}
        onWheel={(e) => setLook((l) => ({ ...l, zoom: Math.min(8, Math.max(1, l.zoom * (e.deltaY < 0 ? 1.1 : 1 / 1.1))) }))}
        onPointerDown={(e) => { if (e.button === 1 || e.shiftKey) drag.current = { x: e.clientX, y: e.clientY }; }}
        onPointerMove={(e) => {
          if (!drag.current) return;
          const dx = e.clientX - drag.current.x, dy = e.clientY - drag.current.y;
          drag.current = { x: e.clientX, y: e.clientY };
          setLook((l) => ({ ...l, panX: l.panX + dx, panY: l.panY + dy }));
        }}
        onPointerUp={() => { drag.current = null; }}
      >
        {positions.map((p, i) => (
          <CandidateCanvas
            key={p}
            cxr={current.cxr}
            mask={current.masks[p - 1]}
            look={look}
            label={duel && choice === undefined ? String(i + 1) : String(p)}
            selected={choice === p}
            onPick={() => (duel && choice === undefined ? pickInDuel(p) : setChoice(p))}
          />
        ))}
      </div>
      <div className="flex items-center gap-3">
        <Button variant={choice === null ? "danger" : "ghost"} onClick={() => setChoice(null)} aria-pressed={choice === null}>None acceptable (0)</Button>
        <Button onClick={() => void submit()} disabled={choice === undefined || busy} data-testid="confirm-vote">
          {busy ? "Saving…" : choice === undefined ? "Choose a mask" : choice === null ? "Confirm: none acceptable" : `Confirm mask ${choice}`}
        </Button>
        <ErrorNote message={error} />
      </div>
    </div>
  );
}
