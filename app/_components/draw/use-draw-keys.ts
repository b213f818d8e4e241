"use client";
import { useEffect, useRef } from "react";

export type KeyActions = {
  helpOpen(): boolean;
  toggleHelp(): void;
  closeHelp(): void;
  undo(): void;
  redo(): void;
  enter(): void;
  escape(): void;
  backspace(): boolean;
  clear(): void;
  key(k: string): void;
};

/** Window-wide shortcuts for the workspace (see shortcuts.ts); typing in a field is left alone. */
export function useDrawKeys(actions: KeyActions) {
  const a = useRef(actions);
  a.current = actions;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const act = a.current;
      const target = e.target as HTMLElement | null;
      if (target?.closest?.("input, textarea, select, [contenteditable]")) return;
      if (act.helpOpen()) {
        if (e.key === "Escape" || e.key === "?") {
          e.preventDefault();
          act.closeHelp();
        }
        return;
      }
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === "z") {
        e.preventDefault();
        return e.shiftKey ? act.redo() : act.undo();
      }
      if (mod && e.key.toLowerCase() === "y") {
        e.preventDefault();
        return act.redo();
      }
      if (mod || e.altKey) return;
      // Enter on a focused button belongs to that button.
      if (e.key === "Enter" && !target?.closest?.("button, a")) {
        e.preventDefault();
        return act.enter();
      }
      if (e.key === "Escape") return act.escape();
      if ((e.key === "Delete" || e.key === "Backspace") && e.shiftKey) {
        e.preventDefault();
        return act.clear();
      }
      if (e.key === "Backspace") {
        if (act.backspace()) e.preventDefault();
        return;
      }
      if (e.key === "?") {
        e.preventDefault();
        return act.toggleHelp();
      }
      if (e.key.length === 1) act.key(e.key.toLowerCase());
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
