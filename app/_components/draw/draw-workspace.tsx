"use client";
import dynamic from "next/dynamic";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { TaskView } from "@/lib/drawing/types";
import { ErrorNote } from "@/app/_components/ui";
import type { CanvasHandle } from "./draw-canvas";
import { ApiError, fetchDraft, fetchStartMask, newKey, postConfirm, postSubmit } from "./draw-api";
import { DrawToolbar, type Settings } from "./draw-toolbar";
import { defaultBrushRadius, maxBrushRadius } from "./brush";
import { HelpOverlay } from "./help-overlay";
import { decodeMaskBlob } from "./mask-decode";
import { encodeBilevelPng } from "@/lib/drawing/bilevel-png";
import { SaveStatusNote } from "./save-status";
import { SkipForm } from "./skip-form";
import { exposeTestHook } from "./test-hook";
import { useActiveTime } from "./use-active-time";
import { useAutosave } from "./use-autosave";
import { useDrawKeys } from "./use-draw-keys";
import { useTaskAssets, type Assets } from "./use-task-assets";
import { useSmartTool, type SmartTool } from "./use-smart-tool";
import { proposalCanvas } from "./proposal-surface";
import type { DrawingProvenance } from "@/lib/assist/provenance";
import { DEFAULT_WL } from "./window-level";

// Konva needs the DOM: the canvas is rendered in the browser only.
const DrawCanvas = dynamic(() => import("./draw-canvas"), {
  ssr: false,
  loading: () => <p className="p-4 text-sm text-muted">Loading the canvas…</p>,
});

const kindLabel = {
  MANUAL: "Draw the infection mask",
  REDRAW: "Redraw: every candidate was rejected",
  CONFIRM: "Confirm another MD's redraw",
};

/** Which path answers the clicks: this browser (the model runs here) or the server, and why. */
function SmartEngineNote({ browser, answer }: Pick<SmartTool, "browser" | "answer">) {
  const last = answer
    ? `Last click answered ${answer.by === "browser" ? "in your browser" : "by the server"} in ${Math.round(answer.ms)} ms.`
    : null;
  const path =
    browser.state === "failed"
      ? `Your browser cannot run the model (${browser.reason}); the server answers instead.`
      : browser.state === "ready"
        ? "The model runs in your browser."
        : browser.state === "loading"
          ? "Loading the model into your browser…"
          : null;
  return (
    <p className="break-words text-muted" data-testid="smart-engine">
      {[path, last].filter(Boolean).join(" ")}
    </p>
  );
}

function failureText(e: unknown): string {
  if (!(e instanceof ApiError)) return e instanceof Error ? e.message : String(e);
  if (e.status === 401)
    return "Your session expired. Sign in again in another tab, then press the button again: it will not be counted twice.";
  if (e.status === 0 || e.status >= 500)
    return "The server could not be reached. Press the button again to retry: it will not be counted twice.";
  return e.message;
}

/** A confirmation task's two answers. */
const confirmChoices = [
  { label: "Approve", approved: true, tone: "bg-ok text-ink" },
  { label: "Reject", approved: false, tone: "bg-bad text-white" },
];

export function DrawWorkspace({ task, onFinished }: { task: TaskView; onFinished(note: string): void }) {
  const { assets, error } = useTaskAssets(task);
  if (error) return <ErrorNote message={`This task could not be loaded: ${error}`} />;
  if (!assets)
    return (
      <p className="text-sm text-muted" role="status">
        Loading the image at full resolution…
      </p>
    );
  return <Workspace task={task} assets={assets} onFinished={onFinished} />;
}

function Workspace({ task, assets, onFinished }: { task: TaskView; assets: Assets; onFinished(note: string): void }) {
  const { painter, gray } = assets;
  const readOnly = task.kind === "CONFIRM";
  const canvas = useRef<CanvasHandle | null>(null);
  const [, setTick] = useState(0);
  const [help, setHelp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const busyRef = useRef(false);
  const intentKey = useRef<string | null>(null);
  const maxRadius = maxBrushRadius(painter.width, painter.height);
  const [s, setS] = useState<Settings>({
    tool: "brush",
    radius: defaultBrushRadius(painter.width, painter.height),
    lassoMode: "add",
    opacity: 0.5,
    outline: false,
    maskVisible: true,
    wl: DEFAULT_WL,
  });
  const set = useCallback((patch: Partial<Settings>) => setS((old) => ({ ...old, ...patch })), []);
  const elapsed = useActiveTime(task.draft?.elapsedMs ?? task.elapsedMs ?? 0);
  const encode = useCallback(() => encodeBilevelPng(painter.mask, painter.width, painter.height), [painter]);
  const autosave = useAutosave({ taskId: task.id, initialVersion: assets.version, encode, elapsed });
  const statusRef = useRef(autosave.status);
  statusRef.current = autosave.status;
  const smart = useSmartTool(task.id, painter, gray, { enabled: !readOnly, active: s.tool === "smart" && !readOnly });
  const proposal = useMemo(
    () =>
      smart.proposal
        ? { canvas: proposalCanvas(smart.proposal, painter.width, painter.height), clicks: smart.clicks }
        : null,
    [smart.proposal, smart.clicks, painter],
  );
  // Provenance: active time per drawing tool, and where the mask started from.
  const toolMs = useRef<DrawingProvenance["toolMs"]>({});
  const toolClock = useRef<{ tool: Settings["tool"]; since: number }>({ tool: s.tool, since: elapsed() });
  const startedFrom = useRef<DrawingProvenance["startedFrom"]>(task.draft?.hasMask ? "draft" : "empty");
  const flushToolTime = useCallback(
    (next: Settings["tool"]) => {
      const now = elapsed();
      const { tool, since } = toolClock.current;
      if (tool !== "pan") toolMs.current[tool] = (toolMs.current[tool] ?? 0) + Math.max(0, Math.round(now - since));
      toolClock.current = { tool: next, since: now };
    },
    [elapsed],
  );
  useEffect(() => flushToolTime(s.tool), [s.tool, flushToolTime]);
  const provenance = (): DrawingProvenance => {
    flushToolTime(s.tool);
    const st = smart.stats();
    return {
      toolMs: { ...toolMs.current },
      smartClicks: st.clicks,
      smartBrowserClicks: st.browserClicks,
      smartAccepts: st.accepts,
      interactiveModelVersion: st.usedVersion,
      startedFrom: startedFrom.current,
    };
  };

  const edited = useCallback(() => {
    // A new edit is a new intent: the next submit gets a fresh key.
    intentKey.current = null;
    if (!readOnly) autosave.markDirty();
    setTick((t) => t + 1);
  }, [autosave, readOnly]);

  const afterChange = useCallback(
    (changed: boolean) => {
      canvas.current?.refresh();
      if (changed) edited();
    },
    [edited],
  );

  const act = {
    undo: () => {
      if (!smart.undo()) afterChange(painter.undo());
    },
    accept: () => {
      if (smart.accept()) afterChange(true);
    },
    redo: () => afterChange(painter.redo()),
    fillHoles: () => {
      painter.beginEdit();
      painter.fillHoles();
      afterChange(painter.endEdit());
    },
    clear: () => {
      painter.beginEdit();
      painter.clear();
      afterChange(painter.endEdit());
    },
    fit: () => canvas.current?.fit(),
    help: () => setHelp(true),
  };

  const runOnce = async (what: () => Promise<string>) => {
    if (busyRef.current) return;
    busyRef.current = true;
    setBusy(true);
    setFailure(null);
    try {
      const note = await what();
      autosave.stop();
      onFinished(note);
    } catch (e) {
      setFailure(failureText(e));
    } finally {
      busyRef.current = false;
      setBusy(false);
    }
  };

  const submit = () =>
    runOnce(async () => {
      if (painter.area === 0 && !window.confirm("The mask is empty. Submit it anyway?"))
        throw new Error("Not submitted.");
      intentKey.current ??= newKey();
      const r = await postSubmit(task.id, encode(), {
        elapsedMs: elapsed(),
        key: intentKey.current,
        provenance: provenance(),
      });
      return r.replayed ? "This image had already been submitted; nothing was added." : "Mask submitted.";
    });

  const confirm = (approved: boolean) =>
    runOnce(async () => {
      intentKey.current ??= newKey();
      const r = await postConfirm(task.id, { approved, elapsedMs: elapsed(), key: intentKey.current });
      return r.approved ? "Redraw approved." : "Redraw rejected: it goes back to be drawn again.";
    });

  const startFrom = async (index: number) => {
    try {
      painter.replace(await decodeMaskBlob(await fetchStartMask(task.id, index), painter.width, painter.height));
      startedFrom.current = "candidate";
      smart.cancel();
      afterChange(true);
    } catch (e) {
      setFailure(failureText(e));
    }
  };

  const takeServer = async () => {
    try {
      const d = await fetchDraft(task.id);
      painter.load(await decodeMaskBlob(d.blob, painter.width, painter.height));
      autosave.reset(d.version);
      afterChange(false);
      setTick((t) => t + 1);
    } catch (e) {
      setFailure(failureText(e));
    }
  };

  useDrawKeys({
    helpOpen: () => help,
    toggleHelp: () => setHelp((h) => !h),
    closeHelp: () => setHelp(false),
    undo: act.undo,
    redo: act.redo,
    enter: () => {
      if (smart.proposal) act.accept();
      else if (canvas.current?.polygonActive()) canvas.current.closePolygon();
      else if (!readOnly) void submit();
    },
    escape: () => {
      if (smart.proposal) smart.cancel();
      else canvas.current?.cancelPolygon();
    },
    backspace: () => {
      if (!canvas.current?.polygonActive()) return false;
      canvas.current.popPolygon();
      return true;
    },
    clear: () => !readOnly && act.clear(),
    key: (k) => {
      const tools: Record<string, Settings["tool"]> = {
        b: "brush",
        e: "eraser",
        l: "lasso",
        p: "polygon",
        h: "pan",
        ...(smart.available ? { s: "smart" as const } : {}),
      };
      if (tools[k] && !readOnly) set({ tool: tools[k] });
      else if (k === "a" && smart.proposal) act.accept();
      else if (k === "x") set({ lassoMode: s.lassoMode === "add" ? "subtract" : "add" });
      else if (k === "[") set({ radius: Math.max(1, Math.round(s.radius / 1.25)) });
      else if (k === "]") set({ radius: Math.min(maxRadius, Math.max(s.radius + 1, Math.round(s.radius * 1.25))) });
      else if (k === "g" && !readOnly) act.fillHoles();
      else if (k === "f") act.fit();
      else if (k === "+" || k === "=") canvas.current?.zoom(1.25);
      else if (k === "-") canvas.current?.zoom(0.8);
      else if (k === "o") set({ outline: !s.outline });
      else if (k === "m") set({ maskVisible: !s.maskVisible });
      else if (k === "i") set({ wl: { ...s.wl, invert: !s.wl.invert } });
      else if (k === "r") set({ wl: { ...DEFAULT_WL, invert: s.wl.invert } });
    },
  });

  useEffect(() => {
    exposeTestHook({
      taskId: task.id,
      width: painter.width,
      height: painter.height,
      area: () => painter.area,
      version: autosave.version,
      status: () => statusRef.current,
      elapsedMs: elapsed,
      toClient: (x, y) => canvas.current?.toClient(x, y) ?? null,
      scale: () => canvas.current?.view().scale ?? 0,
      smart: () => ({
        available: smart.available,
        pending: smart.pending,
        clicks: smart.clicks.length,
        proposalArea: smart.proposal ? smart.proposal.reduce((a, v) => a + v, 0) : 0,
        answeredBy: smart.answer?.by ?? null,
        answerMs: smart.answer?.ms ?? null,
        browser: smart.browser.state,
      }),
    });
    return () => exposeTestHook(undefined);
  }, [
    task.id,
    painter,
    autosave.version,
    elapsed,
    smart.available,
    smart.pending,
    smart.clicks,
    smart.proposal,
    smart.answer,
    smart.browser,
  ]);

  return (
    <div className="flex h-[calc(100vh-7.5rem)] min-h-[420px] gap-3">
      <aside
        className="w-60 shrink-0 space-y-4 overflow-y-auto rounded-lg border border-line bg-panel p-3"
        aria-label="Drawing tools"
      >
        <div>
          <h1 className="text-sm font-semibold">{kindLabel[task.kind]}</h1>
          <p className="text-xs text-muted">
            {painter.width}×{painter.height} px · mask area{" "}
            <span data-testid="mask-area">{painter.area.toLocaleString()}</span> px
          </p>
        </div>
        {readOnly ? null : (
          <SaveStatusNote
            status={autosave.status}
            message={autosave.message}
            onKeepMine={autosave.keepMine}
            onTakeServer={takeServer}
          />
        )}
        {task.kind === "REDRAW" && task.startMasks > 0 ? (
          <div className="space-y-1">
            <p className="text-xs text-muted">Start from a rejected candidate (replaces the mask; undoable):</p>
            <div className="flex flex-wrap gap-1">
              {Array.from({ length: task.startMasks }, (_, i) => (
                <button
                  key={i}
                  type="button"
                  onClick={() => startFrom(i)}
                  className="rounded-md border border-line px-2 py-1 text-xs hover:bg-panel-2"
                >
                  Candidate {i + 1}
                </button>
              ))}
            </div>
          </div>
        ) : null}
        <DrawToolbar
          s={s}
          set={set}
          actions={act}
          canUndo={painter.canUndo || !!smart.proposal}
          canRedo={painter.canRedo}
          readOnly={readOnly}
          maxRadius={maxRadius}
          smartAvailable={smart.available}
        />
        {s.tool === "smart" && !readOnly ? (
          <div
            className="space-y-1 rounded-md border border-line p-2 text-xs"
            aria-label="Smart tool"
            data-testid="smart-panel"
          >
            <p className="text-muted">
              Click inside the infection to add, right-click (or Alt+click) to remove. The{" "}
              <span style={{ color: "rgb(64,200,255)" }}>blue proposal</span> is not part of the mask until you accept
              it. Model v{smart.modelVersion}.
            </p>
            <p role="status">
              {smart.pending
                ? smart.browser.state === "loading"
                  ? "Loading the click model into your browser…"
                  : "Thinking…"
                : smart.proposal
                  ? `${smart.clicks.length} click(s) · proposal ready`
                  : "No proposal yet."}
            </p>
            <SmartEngineNote browser={smart.browser} answer={smart.answer} />
            <div className="flex gap-1">
              <button
                type="button"
                disabled={!smart.proposal}
                onClick={act.accept}
                className="rounded-md bg-accent-strong px-2 py-1 text-white disabled:opacity-40"
              >
                Accept proposal (A)
              </button>
              <button
                type="button"
                disabled={!smart.proposal}
                onClick={smart.cancel}
                className="rounded-md border border-line px-2 py-1 disabled:opacity-40"
              >
                Discard (Esc)
              </button>
            </div>
            <ErrorNote message={smart.error} />
          </div>
        ) : null}
        <div className="space-y-2 border-t border-line pt-3">
          {readOnly ? (
            <div className="flex gap-2">
              {confirmChoices.map((c) => (
                <button
                  key={c.label}
                  type="button"
                  disabled={busy}
                  onClick={() => confirm(c.approved)}
                  className={`rounded-md px-3 py-1.5 text-sm font-medium disabled:opacity-50 ${c.tone}`}
                >
                  {c.label}
                </button>
              ))}
            </div>
          ) : (
            <button
              type="button"
              disabled={busy}
              onClick={() => void submit()}
              aria-label="Submit the mask (Enter)"
              className="w-full rounded-md bg-accent-strong px-3 py-2 text-sm font-medium text-white hover:bg-accent disabled:opacity-50"
            >
              {busy ? "Submitting…" : "Submit mask"}
            </button>
          )}
          <ErrorNote message={failure} />
          <SkipForm
            taskId={task.id}
            disabled={busy}
            onSkipped={() => {
              autosave.stop();
              onFinished("Skipped.");
            }}
          />
        </div>
      </aside>
      <div className="min-w-0 flex-1 overflow-hidden rounded-lg border border-line">
        <DrawCanvas
          painter={painter}
          gray={gray}
          wl={s.wl}
          tool={readOnly ? "pan" : s.tool}
          radius={s.radius}
          lassoMode={s.lassoMode}
          opacity={s.maskVisible ? s.opacity : 0}
          outline={s.outline}
          readOnly={readOnly}
          onEdit={edited}
          handle={canvas}
          proposal={proposal}
          onSmartClick={(x, y, positive) => void smart.click(x, y, positive)}
        />
      </div>
      {help ? <HelpOverlay onClose={() => setHelp(false)} /> : null}
    </div>
  );
}
