"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import type { Click } from "@/lib/assist/types";
import { encodeBilevelPng } from "@/lib/drawing/bilevel-png";
import { fetchAssistStatus, postPropose } from "./draw-api";
import { decodeMaskBlob } from "./mask-decode";
import type { MaskPainter } from "./mask-painter";

// The Smart tool's session: every click (left adds, right or Alt removes) asks the server for a
// new proposal from all clicks so far on top of the committed mask; the proposal replaces the
// previous one and stays apart from the committed mask until the MD accepts it. Undo during a
// session takes back the last click.

type Step = { clicks: Click[]; proposal: Uint8Array };

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function useSmartTool(taskId: string, painter: MaskPainter, enabled: boolean) {
  const [modelVersion, setModelVersion] = useState<number | null>(null);
  const [steps, setSteps] = useState<Step[]>([]);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const stats = useRef({ clicks: 0, accepts: 0, usedVersion: null as number | null });
  const seq = useRef(0);
  const stepsRef = useRef(steps);
  stepsRef.current = steps;

  useEffect(() => {
    if (!enabled) return;
    let live = true;
    fetchAssistStatus(taskId).then(
      (s) => live && setModelVersion(s.modelVersion),
      () => live && setModelVersion(null),
    );
    return () => {
      live = false;
    };
  }, [taskId, enabled]);

  const click = useCallback(
    async (x: number, y: number, positive: boolean) => {
      if (modelVersion == null) return;
      const last = stepsRef.current.at(-1);
      const clicks = [...(last?.clicks ?? []), { x, y, positive }];
      // The first click corrects the committed mask; later ones the previous proposal.
      const current = last?.proposal ?? painter.mask;
      const mine = ++seq.current;
      setPending(true);
      setError(null);
      try {
        const r = await postPropose(taskId, {
          clicks,
          current: toBase64(encodeBilevelPng(current, painter.width, painter.height, 1)),
        });
        const bytes = Uint8Array.from(atob(r.mask), (c) => c.charCodeAt(0));
        const proposal = await decodeMaskBlob(new Blob([bytes], { type: "image/png" }), painter.width, painter.height);
        if (mine !== seq.current) return;
        stats.current.clicks++;
        stats.current.usedVersion = r.modelVersion;
        setSteps((s) => [...s, { clicks, proposal }]);
      } catch (e) {
        if (mine === seq.current) setError(e instanceof Error ? e.message : String(e));
      } finally {
        if (mine === seq.current) setPending(false);
      }
    },
    [modelVersion, painter, taskId],
  );

  /** Takes back the last click; false when no session is open (the painter's undo applies). */
  const undo = useCallback(() => {
    if (!stepsRef.current.length) return false;
    seq.current++;
    setPending(false);
    setSteps((s) => s.slice(0, -1));
    return true;
  }, []);

  const cancel = useCallback(() => {
    seq.current++;
    setPending(false);
    setSteps([]);
  }, []);

  /** Commits the proposal as one undoable edit of the mask. */
  const accept = useCallback(() => {
    const last = stepsRef.current.at(-1);
    if (!last) return false;
    painter.replace(last.proposal);
    stats.current.accepts++;
    setSteps([]);
    return true;
  }, [painter]);

  const last = steps.at(-1);
  return {
    available: modelVersion != null,
    modelVersion,
    proposal: last?.proposal ?? null,
    clicks: last?.clicks ?? [],
    pending,
    error,
    click,
    undo,
    cancel,
    accept,
    stats: () => ({ ...stats.current }),
  };
}

export type SmartTool = ReturnType<typeof useSmartTool>;
