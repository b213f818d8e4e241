"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, newKey, putDraft } from "./draw-api";

export type SaveStatus = "saved" | "unsaved" | "saving" | "conflict" | "offline" | "signed-out" | "refused" | "error";

type Attempt = { key: string; base: number; firstSeq: number };

/**
 * Debounced draft saving with optimistic locking. A save whose outcome is unknown (network
 * error, expired session) is retried with the same key and base version, so a save that
 * did land is recognised by the server instead of looking like a conflict.
 */
export function useAutosave(o: {
  taskId: string;
  initialVersion: number;
  encode: () => Uint8Array;
  elapsed: () => number;
  delayMs?: number;
}) {
  const delay = o.delayMs ?? 1500;
  const [status, setStatus] = useState<SaveStatus>("saved");
  const [message, setMessage] = useState<string | null>(null);
  const version = useRef(o.initialVersion);
  const serverVersion = useRef<number | null>(null);
  const editSeq = useRef(0);
  const savedSeq = useRef(0);
  const pending = useRef<Attempt | null>(null);
  const inFlight = useRef(false);
  const stopped = useRef(false);
  const blocked = useRef(false);
  const timer = useRef<number | undefined>(undefined);
  const failures = useRef(0);
  const latest = useRef(o);
  latest.current = o;

  const schedule = useCallback((ms: number) => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => void saveRef.current(false), ms);
  }, []);

  const save = useCallback(
    async (unloading: boolean) => {
      window.clearTimeout(timer.current);
      if (stopped.current || blocked.current || inFlight.current) return;
      if (savedSeq.current === editSeq.current) return;
      const seq = editSeq.current;
      const attempt = pending.current ?? { key: newKey(), base: version.current, firstSeq: seq };
      pending.current = attempt;
      inFlight.current = true;
      setStatus("saving");
      try {
        const png = latest.current.encode();
        const r = await putDraft(latest.current.taskId, png, {
          baseVersion: attempt.base,
          elapsedMs: latest.current.elapsed(),
          key: attempt.key,
          unloading,
        });
        if (stopped.current) return;
        pending.current = null;
        failures.current = 0;
        version.current = r.version;
        // A replay means an earlier send of this key landed, holding the content of firstSeq.
        savedSeq.current = Math.max(savedSeq.current, r.replayed ? attempt.firstSeq : seq);
        setMessage(null);
        setStatus(savedSeq.current === editSeq.current ? "saved" : "unsaved");
        if (savedSeq.current !== editSeq.current) schedule(0);
      } catch (e) {
        if (stopped.current) return;
        const err = e instanceof ApiError ? e : new ApiError(0, "CLIENT", String(e));
        if (err.status === 409) {
          pending.current = null;
          blocked.current = true;
          serverVersion.current = typeof err.details?.version === "number" ? err.details.version : null;
          setStatus("conflict");
          setMessage(err.message);
        } else if (err.status === 403 || err.status === 404) {
          blocked.current = true;
          setStatus("refused");
          setMessage(err.message);
        } else if (err.status === 401) {
          setStatus("signed-out");
          setMessage(
            "Your session expired. Sign in again in another tab: your drawing stays here and is saved when you are back.",
          );
          schedule(10_000);
        } else if (err.status === 0 || err.status >= 500 || err.status === 429) {
          failures.current++;
          setStatus("offline");
          setMessage("Saving failed; retrying.");
          schedule(Math.min(30_000, 1000 * 2 ** Math.min(5, failures.current - 1)));
        } else {
          pending.current = null;
          setStatus("error");
          setMessage(err.message);
        }
      } finally {
        inFlight.current = false;
      }
    },
    [schedule],
  );
  const saveRef = useRef(save);
  saveRef.current = save;

  const markDirty = useCallback(() => {
    editSeq.current++;
    if (blocked.current || stopped.current) return;
    setStatus((s) => (s === "saving" ? s : "unsaved"));
    schedule(delay);
  }, [delay, schedule]);

  /** After a conflict: keep this tab's drawing and save it over the newer server version. */
  const keepMine = useCallback(() => {
    if (serverVersion.current === null) return;
    version.current = serverVersion.current;
    blocked.current = false;
    setStatus("unsaved");
    void saveRef.current(false);
  }, []);

  /** After loading the server's draft (e.g. resolving a conflict the other way). */
  const reset = useCallback((v: number) => {
    version.current = v;
    editSeq.current = savedSeq.current = 0;
    pending.current = null;
    blocked.current = false;
    setStatus("saved");
    setMessage(null);
  }, []);

  const stop = useCallback(() => {
    stopped.current = true;
    window.clearTimeout(timer.current);
  }, []);

  useEffect(() => {
    const flush = () => void saveRef.current(true);
    const onVisibility = () => {
      if (document.visibilityState === "hidden") flush();
    };
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (!stopped.current && savedSeq.current !== editSeq.current) {
        flush();
        e.preventDefault();
      }
    };
    document.addEventListener("visibilitychange", onVisibility);
    window.addEventListener("pagehide", flush);
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => {
      document.removeEventListener("visibilitychange", onVisibility);
      window.removeEventListener("pagehide", flush);
      window.removeEventListener("beforeunload", onBeforeUnload);
      window.clearTimeout(timer.current);
    };
  }, []);

  return {
    status,
    message,
    markDirty,
    keepMine,
    reset,
    stop,
    flush: useCallback(() => saveRef.current(false), []),
    version: useCallback(() => version.current, []),
    unsaved: useCallback(() => savedSeq.current !== editSeq.current, []),
  };
}
