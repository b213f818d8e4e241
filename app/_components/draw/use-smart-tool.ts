"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import type { AssistStatus, Click } from "@/lib/assist/types";
import { encodeBilevelPng } from "@/lib/drawing/bilevel-png";
import { browserClickModel, type BrowserClickModel } from "./browser-click-model";
import { fetchAssistStatus, postPropose } from "./draw-api";
import { decodeMaskBlob } from "./mask-decode";
import type { MaskPainter } from "./mask-painter";

// The Smart tool's session: every click (left adds, right or Alt removes) gives a new proposal
// from all clicks so far on top of the committed mask; the proposal replaces the previous one
// and stays apart from the committed mask until the MD accepts it. Undo during a session takes
// back the last click. A click is answered in this browser (the click model in onnxruntime-web,
// loaded when the MD first picks the tool) and by the server when the browser cannot run it.

type Step = { clicks: Click[]; proposal: Uint8Array };
const SHOW_PENDING_AFTER_MS = 150;
export type SmartEngine = "browser" | "server";
type BrowserState = { state: "idle" | "loading" | "ready" } | { state: "failed"; reason: string };

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function useSmartTool(
  taskId: string,
  painter: MaskPainter,
  gray: Uint8Array,
  o: { enabled: boolean; active: boolean },
) {
  const [status, setStatus] = useState<AssistStatus | null>(null);
  const [steps, setSteps] = useState<Step[]>([]);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [browser, setBrowser] = useState<BrowserState>({ state: "idle" });
  const [answer, setAnswer] = useState<{ by: SmartEngine; ms: number } | null>(null);
  const stats = useRef({ clicks: 0, browserClicks: 0, accepts: 0, usedVersion: null as number | null });
  const seq = useRef(0);
  const stepsRef = useRef(steps);
  stepsRef.current = steps;
  const local = useRef<Promise<BrowserClickModel | null> | null>(null);
  const modelVersion = status?.modelVersion ?? null;

  useEffect(() => {
    if (!o.enabled) return;
    let live = true;
    fetchAssistStatus(taskId).then(
      (s) => live && setStatus(s),
      () => live && setStatus(null),
    );
    return () => {
      live = false;
    };
  }, [taskId, o.enabled]);

  const giveUpBrowser = useCallback((e: unknown) => {
    local.current = Promise.resolve(null);
    setBrowser({ state: "failed", reason: e instanceof Error ? e.message : String(e) });
  }, []);

  /** The in-browser model for this image, loading it on first use; null: the server answers. */
  const browserModel = useCallback((): Promise<BrowserClickModel | null> => {
    const spec = status?.browser;
    if (!spec) return Promise.resolve(null);
    if (!local.current) {
      setBrowser({ state: "loading" });
      local.current = browserClickModel(spec, gray, painter.width, painter.height).then(
        (m) => {
          setBrowser({ state: "ready" });
          return m;
        },
        (e) => {
          giveUpBrowser(e);
          return null;
        },
      );
    }
    return local.current;
  }, [status, gray, painter, giveUpBrowser]);

  useEffect(() => {
    if (o.active) void browserModel();
  }, [o.active, browserModel]);

  const serverStep = useCallback(
    async (clicks: Click[], current: Uint8Array) => {
      const r = await postPropose(taskId, {
        clicks,
        current: toBase64(encodeBilevelPng(current, painter.width, painter.height, 1)),
      });
      const bytes = Uint8Array.from(atob(r.mask), (c) => c.charCodeAt(0));
      const proposal = await decodeMaskBlob(new Blob([bytes], { type: "image/png" }), painter.width, painter.height);
      return { proposal, version: r.modelVersion };
    },
    [taskId, painter],
  );

  const click = useCallback(
    async (x: number, y: number, positive: boolean) => {
      if (modelVersion == null) return;
      const last = stepsRef.current.at(-1);
      const clicks = [...(last?.clicks ?? []), { x, y, positive }];
      // The first click corrects the committed mask; later ones the previous proposal.
      const current = last?.proposal ?? painter.mask;
      const mine = ++seq.current;
      setError(null);
      // "Thinking…" only for a click that takes a while: re-rendering the workspace before a
      // fast answer would only delay it.
      const slow = setTimeout(() => mine === seq.current && setPending(true), SHOW_PENDING_AFTER_MS);
      try {
        const model = await browserModel();
        const t0 = performance.now();
        let result: { proposal: Uint8Array; version: number; by: SmartEngine } | null = null;
        if (model) {
          try {
            result = { proposal: await model(clicks, current), version: modelVersion, by: "browser" };
          } catch (e) {
            giveUpBrowser(e);
          }
        }
        result ??= { ...(await serverStep(clicks, current)), by: "server" };
        const ms = performance.now() - t0;
        if (mine !== seq.current) return;
        stats.current.clicks++;
        if (result.by === "browser") stats.current.browserClicks++;
        stats.current.usedVersion = result.version;
        setAnswer({ by: result.by, ms });
        setSteps((s) => [...s, { clicks, proposal: result.proposal }]);
      } catch (e) {
        if (mine === seq.current) setError(e instanceof Error ? e.message : String(e));
      } finally {
        clearTimeout(slow);
        if (mine === seq.current) setPending(false);
      }
    },
    [modelVersion, painter, browserModel, serverStep, giveUpBrowser],
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
    /** Whether this browser runs the model (loading, ready, or failed and why). */
    browser,
    /** Which path answered the last click, and in how many ms (model load excluded). */
    answer,
    click,
    undo,
    cancel,
    accept,
    stats: () => ({ ...stats.current }),
  };
}

export type SmartTool = ReturnType<typeof useSmartTool>;
