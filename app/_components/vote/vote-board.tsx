"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import { CandidateCanvas, type Look } from "./candidate-canvas";
import {
  fetchBallot,
  holdBallot,
  HttpError,
  releaseBallot,
  sendDuel,
  submitVote,
  type LoadedBallot,
  type Nothing,
} from "./ballot-loader";
import { Button, ErrorNote } from "../ui";

const initialLook: Look = { brightness: 1, contrast: 1, invert: false, zoom: 1, panX: 0, panY: 0 };
const lookSliders: { key: "brightness" | "contrast"; label: string; max: number }[] = [
  { key: "brightness", label: "Brightness", max: 2 },
  { key: "contrast", label: "Contrast", max: 3 },
];

/**
 * Blinded selection: candidates by position only, keyboard first, next ballot preloaded.
 * Only the shown ballot holds its image, renewed by a heartbeat while the page is visible and
 * released when it is hidden or left; a 409 (another tab voted, the image went elsewhere)
 * moves on to the next ballot. Pairwise duels are asked and decided by the server.
 */
export function VoteBoard({ projectId }: { projectId: string }) {
  const [current, setCurrent] = useState<LoadedBallot | null>(null);
  const [nothing, setNothing] = useState<Nothing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [choice, setChoice] = useState<number | null | undefined>(undefined);
  const [look, setLook] = useState<Look>(initialLook);
  const [layout, setLayout] = useState<"grid" | "flip">("grid");
  const [flip, setFlip] = useState(0);
  const [duel, setDuel] = useState<{ a: number; b: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const nextRef = useRef<Promise<{ ballot: LoadedBallot | null; nothing?: Nothing }> | null>(null);
  const currentRef = useRef<LoadedBallot | null>(null);
  const shownAt = useRef(0);
  const keyRef = useRef<string | null>(null);
  const drag = useRef<{ x: number; y: number } | null>(null);

  const show = useCallback(
    (r: { ballot: LoadedBallot | null; nothing?: Nothing }) => {
      const b = r.ballot;
      currentRef.current = b;
      setCurrent(b);
      setNothing(
        b ? null : (r.nothing ?? { reason: "ROUND_COMPLETE", message: "Nothing left to vote on. Thank you." }),
      );
      setChoice(b?.view.duelWinner ?? undefined);
      setFlip(0);
      keyRef.current = null;
      shownAt.current = performance.now();
      setDuel(b?.view.duel ?? null);
      nextRef.current = b ? fetchBallot(projectId, [b.view.ballotId], true) : null;
      nextRef.current?.catch(() => undefined);
    },
    [projectId],
  );

  // Shows a ballot that holds its image: a preloaded one takes its lease first, and one
  // whose image went elsewhere meanwhile is skipped.
  const moveOn = useCallback(
    async (skip: string[]) => {
      for (let i = 0; i < 5; i++) {
        const pre = await (nextRef.current ?? fetchBallot(projectId, skip)).catch(() => null);
        nextRef.current = null;
        const r = pre?.ballot && !skip.includes(pre.ballot.view.ballotId) ? pre : await fetchBallot(projectId, skip);
        if (!r.ballot || (await holdBallot(r.ballot.view.ballotId))) return show(r);
        skip = [...skip, r.ballot.view.ballotId].slice(-5);
      }
      show(await fetchBallot(projectId, skip));
    },
    [projectId, show],
  );

  useEffect(() => {
    fetchBallot(projectId, []).then(show, (e) => setError(e.message));
  }, [projectId, show]);

  // Waiting for other MDs or for models: look again now and then.
  const waiting = nothing && nothing.reason !== "ROUND_COMPLETE" && nothing.reason !== "NO_ROUND";
  useEffect(() => {
    if (!waiting) return;
    const t = setInterval(() => {
      fetchBallot(projectId, []).then(
        (r) => {
          if (r.ballot) show(r);
        },
        () => undefined,
      );
    }, 10_000);
    return () => clearInterval(t);
  }, [waiting, projectId, show]);

  // Heartbeat while visible; release when hidden or left; take the lease again on return.
  const leaseMs = current?.view.leaseMs ?? 0;
  useEffect(() => {
    if (!leaseMs) return;
    const beat = () => {
      const b = currentRef.current;
      if (!b || document.visibilityState !== "visible") return;
      void holdBallot(b.view.ballotId).then((held) => {
        if (!held && currentRef.current === b) void moveOn([b.view.ballotId]);
      });
    };
    const timer = setInterval(beat, Math.max(1000, leaseMs / 3));
    const onVisibility = () => {
      const b = currentRef.current;
      if (!b) return;
      if (document.visibilityState === "hidden") releaseBallot(b.view.ballotId);
      else beat();
    };
    const onLeave = () => {
      if (currentRef.current) releaseBallot(currentRef.current.view.ballotId);
    };
    document.addEventListener("visibilitychange", onVisibility);
    window.addEventListener("pagehide", onLeave);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisibility);
      window.removeEventListener("pagehide", onLeave);
    };
  }, [leaseMs, moveOn]);

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
      });
      await moveOn([current.view.ballotId]);
    } catch (e) {
      if (e instanceof HttpError && e.status === 409) {
        // Voted from another tab, or the image went to someone else: on to the next one.
        nextRef.current = null;
        await moveOn([current.view.ballotId]).catch((err) => setError((err as Error).message));
      } else {
        setError((e as Error).message);
      }
    } finally {
      setBusy(false);
    }
  }, [current, choice, busy, moveOn]);

  const pickInDuel = useCallback(
    async (winner: number) => {
      if (!duel || !current || busy) return;
      setBusy(true);
      try {
        const next = await sendDuel(current.view.ballotId, { a: duel.a, b: duel.b, winner });
        setDuel(next.duel);
        if (next.winner !== null) setChoice(next.winner);
      } catch (e) {
        setError((e as Error).message);
      } finally {
        setBusy(false);
      }
    },
    [duel, current, busy],
  );

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (!current || (e.target as HTMLElement)?.tagName === "INPUT") return;
      const n = current.masks.length;
      const digit = Number(e.key);
      const allowNone = current.view.allowNone;
      if (duel && choice === undefined) {
        if (e.key === "1" || e.key === "ArrowLeft") void pickInDuel(duel.a);
        else if (e.key === "2" || e.key === "ArrowRight") void pickInDuel(duel.b);
        return;
      }
      if (current.view.mode === "PAIRWISE") {
        if (e.key === "Enter") void submit();
        return;
      }
      if (digit >= 1 && digit <= n) setChoice(digit);
      else if (allowNone && (e.key === "0" || e.key.toLowerCase() === "n")) setChoice(null);
      else if (e.key === "ArrowRight") {
        const f = (flip + 1) % n;
        setFlip(f);
        if (layout === "flip") setChoice(f + 1);
      } else if (e.key === "ArrowLeft") {
        const f = (flip - 1 + n) % n;
        setFlip(f);
        if (layout === "flip") setChoice(f + 1);
      } else if (e.key === "Enter") void submit();
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
  if (nothing)
    return (
      <p
        className="rounded-lg border border-line bg-panel p-6 text-muted"
        data-testid="vote-done"
        data-reason={nothing.reason}
      >
        {nothing.message}
      </p>
    );
  if (!current)
    return (
      <p className="text-muted" aria-live="polite">
        Loading the next image…
      </p>
    );

  const positions =
    duel && choice === undefined
      ? [duel.a, duel.b]
      : layout === "flip"
        ? [flip + 1]
        : current.masks.map((_, i) => i + 1);
  const cols =
    positions.length <= 2
      ? "grid-cols-2"
      : positions.length <= 4
        ? "grid-cols-2 lg:grid-cols-4"
        : "grid-cols-3 lg:grid-cols-5";

  return (
    <div className="space-y-3" data-testid="vote-board" data-ballot={current.view.ballotId}>
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <span className="text-muted">
          {duel && choice === undefined
            ? "Which is better? 1 or 2 (← →)"
            : "Pick the best mask: 1–" +
              current.masks.length +
              (current.view.allowNone ? ", 0 = none acceptable" : "") +
              ", Enter to confirm"}
        </span>
        {lookSliders.map(({ key, label, max }) => (
          <label key={key} className="flex items-center gap-1 text-muted">
            {label}
            <input
              type="range"
              min={0.3}
              max={max}
              step={0.05}
              value={look[key]}
              onChange={(e) => setLook({ ...look, [key]: Number(e.target.value) })}
            />
          </label>
        ))}
        <Button variant="ghost" onClick={() => setLook({ ...look, invert: !look.invert })}>
          Invert (I)
        </Button>
        <Button variant="ghost" onClick={() => setLayout(layout === "grid" ? "flip" : "grid")}>
          {layout === "grid" ? "Flip through (V)" : "Side by side (V)"}
        </Button>
      </div>
      <div
        className={`grid gap-2 ${cols}`}
        onWheel={(e) =>
          setLook((l) => ({ ...l, zoom: Math.min(8, Math.max(1, l.zoom * (e.deltaY < 0 ? 1.1 : 1 / 1.1))) }))
        }
        onPointerDown={(e) => {
          if (e.button === 1 || e.shiftKey) drag.current = { x: e.clientX, y: e.clientY };
        }}
        onPointerMove={(e) => {
          if (!drag.current) return;
          const dx = e.clientX - drag.current.x,
            dy = e.clientY - drag.current.y;
          drag.current = { x: e.clientX, y: e.clientY };
          setLook((l) => ({ ...l, panX: l.panX + dx, panY: l.panY + dy }));
        }}
        onPointerUp={() => {
          drag.current = null;
        }}
      >
        {positions.map((p, i) => (
          <CandidateCanvas
            key={p}
            cxr={current.cxr}
            mask={current.masks[p - 1]}
            look={look}
            label={duel && choice === undefined ? String(i + 1) : String(p)}
            selected={choice === p}
            onPick={() =>
              duel && choice === undefined
                ? void pickInDuel(p)
                : current.view.mode === "PAIRWISE"
                  ? undefined
                  : setChoice(p)
            }
          />
        ))}
      </div>
      <div className="flex items-center gap-3">
        {current.view.allowNone && (
          <Button
            variant={choice === null ? "danger" : "ghost"}
            onClick={() => setChoice(null)}
            aria-pressed={choice === null}
          >
            None acceptable (0)
          </Button>
        )}
        <Button onClick={() => void submit()} disabled={choice === undefined || busy} data-testid="confirm-vote">
          {busy
            ? "Saving…"
            : choice === undefined
              ? "Choose a mask"
              : choice === null
                ? "Confirm: none acceptable"
                : `Confirm mask ${choice}`}
        </Button>
        <ErrorNote message={error} />
      </div>
    </div>
  );
}
