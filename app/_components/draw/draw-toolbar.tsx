"use client";
import type { ReactNode } from "react";
import type { Tool } from "./canvas-input";
import { DEFAULT_WL, type WindowLevel } from "./window-level";
import { shortcutHint } from "./shortcuts";

export type Settings = {
  tool: Tool;
  radius: number;
  lassoMode: "add" | "subtract";
  opacity: number;
  outline: boolean;
  maskVisible: boolean;
  wl: WindowLevel;
};

type Actions = { undo(): void; redo(): void; fillHoles(): void; clear(): void; fit(): void; help(): void };

const tools: { id: Tool; label: string; key: string }[] = [
  { id: "brush", label: "Brush", key: "B" },
  { id: "eraser", label: "Eraser", key: "E" },
  { id: "lasso", label: "Lasso", key: "L" },
  { id: "polygon", label: "Polygon", key: "P" },
  { id: "pan", label: "Hand", key: "H" },
];

function ToolButton({
  pressed,
  onClick,
  label,
  children,
  disabled,
}: {
  pressed?: boolean;
  onClick(): void;
  label: string;
  children: ReactNode;
  disabled?: boolean;
}) {
  return (
    <button
      type="button"
      aria-label={label}
      aria-pressed={pressed}
      title={label}
      disabled={disabled}
      onClick={onClick}
      className={`rounded-md border px-2 py-1 text-sm disabled:opacity-40 ${pressed ? "border-accent bg-accent/20 text-text" : "border-line text-muted hover:bg-panel-2 hover:text-text"}`}
    >
      {children}
    </button>
  );
}

function Slider({
  label,
  value,
  min,
  max,
  step = 1,
  onChange,
  format,
}: {
  label: string;
  value: number;
  min: number;
  max: number;
  step?: number;
  onChange(v: number): void;
  format?: (v: number) => string;
}) {
  return (
    <label className="block text-xs text-muted">
      <span className="flex justify-between">
        <span>{label}</span>
        <span>{format ? format(value) : value}</span>
      </span>
      <input
        type="range"
        className="w-full accent-accent"
        aria-label={label}
        min={min}
        max={max}
        step={step}
        value={value}
        onChange={(e) => onChange(Number(e.target.value))}
      />
    </label>
  );
}

const lassoModes = [
  { mode: "add", verb: "adds", name: "Add" },
  { mode: "subtract", verb: "subtracts", name: "Subtract" },
] as const;

export function DrawToolbar({
  s,
  set,
  actions,
  canUndo,
  canRedo,
  readOnly,
  maxRadius,
  smartAvailable = false,
}: {
  s: Settings;
  set(patch: Partial<Settings>): void;
  actions: Actions;
  canUndo: boolean;
  canRedo: boolean;
  readOnly: boolean;
  maxRadius: number;
  smartAvailable?: boolean;
}) {
  const wl = (patch: Partial<WindowLevel>) => set({ wl: { ...s.wl, ...patch } });
  return (
    <div className="space-y-4">
      {readOnly ? null : (
        <section aria-label="Tools" className="space-y-2">
          <div className="flex flex-wrap gap-1">
            {[...tools, ...(smartAvailable ? [{ id: "smart" as const, label: "Smart", key: "S" }] : [])].map((t) => (
              <ToolButton
                key={t.id}
                label={`${t.label} (${t.key})`}
                pressed={s.tool === t.id}
                onClick={() => set({ tool: t.id })}
              >
                {t.label}
              </ToolButton>
            ))}
          </div>
          <Slider
            label="Brush size (px)"
            value={s.radius}
            min={1}
            max={maxRadius}
            onChange={(radius) => set({ radius })}
          />
          <div className="flex gap-1" role="group" aria-label="Lasso mode">
            {lassoModes.map((m) => (
              <ToolButton
                key={m.mode}
                label={`Lasso ${m.verb} (X toggles)`}
                pressed={s.lassoMode === m.mode}
                onClick={() => set({ lassoMode: m.mode })}
              >
                {m.name}
              </ToolButton>
            ))}
          </div>
          <div className="flex flex-wrap gap-1">
            <ToolButton label="Undo (Ctrl+Z)" onClick={actions.undo} disabled={!canUndo}>
              Undo
            </ToolButton>
            <ToolButton label="Redo (Ctrl+Shift+Z)" onClick={actions.redo} disabled={!canRedo}>
              Redo
            </ToolButton>
            <ToolButton label="Fill holes (G)" onClick={actions.fillHoles}>
              Fill holes
            </ToolButton>
            <ToolButton label="Clear the mask (Shift+Delete)" onClick={actions.clear}>
              Clear
            </ToolButton>
          </div>
        </section>
      )}
      <section aria-label="View" className="space-y-2">
        <Slider
          label="Mask opacity"
          value={Math.round(s.opacity * 100)}
          min={0}
          max={100}
          onChange={(v) => set({ opacity: v / 100 })}
          format={(v) => `${v}%`}
        />
        <div className="flex flex-wrap gap-1">
          <ToolButton label="Outline only (O)" pressed={s.outline} onClick={() => set({ outline: !s.outline })}>
            Outline
          </ToolButton>
          <ToolButton
            label="Show the mask (M)"
            pressed={s.maskVisible}
            onClick={() => set({ maskVisible: !s.maskVisible })}
          >
            Mask
          </ToolButton>
          <ToolButton label="Invert the X-ray (I)" pressed={s.wl.invert} onClick={() => wl({ invert: !s.wl.invert })}>
            Invert
          </ToolButton>
          <ToolButton label="Fit the image (F)" onClick={actions.fit}>
            Fit
          </ToolButton>
        </div>
        {/* Brightness moves the window's level; contrast narrows its width (window/level). */}
        <Slider
          label="Brightness"
          value={128 - s.wl.level}
          min={-127}
          max={127}
          onChange={(v) => wl({ level: 128 - v })}
          format={(v) => (v > 0 ? `+${v}` : String(v))}
        />
        <Slider
          label="Contrast"
          value={257 - s.wl.width}
          min={1}
          max={240}
          onChange={(v) => wl({ width: 257 - v })}
          format={(v) => `${(256 / (257 - v)).toFixed(1)}×`}
        />
        <ToolButton
          label="Reset brightness and contrast (R)"
          onClick={() => set({ wl: { ...DEFAULT_WL, invert: s.wl.invert } })}
        >
          Reset
        </ToolButton>
      </section>
      <ToolButton label="Keyboard shortcuts (?)" onClick={actions.help}>
        Shortcuts ?
      </ToolButton>
      <p className="text-xs leading-5 text-muted" data-testid="shortcut-hint">
        {shortcutHint.map((h) => (
          <span key={h.keys} className="mr-2 inline-block">
            <kbd className="rounded border border-line px-1 font-mono">{h.keys}</kbd> {h.label}
          </span>
        ))}
      </p>
    </div>
  );
}
