"use client";
import { useEffect, useRef } from "react";
import { shortcuts } from "./shortcuts";

export function HelpOverlay({ onClose }: { onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-black/70 p-4" onClick={onClose}>
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby="draw-help-title"
        className="max-h-full w-full max-w-lg overflow-auto rounded-lg border border-line bg-panel p-4"
        onClick={(e) => e.stopPropagation()}
      >
        <div className="mb-3 flex items-center justify-between">
          <h2 id="draw-help-title" className="font-semibold">
            Keyboard shortcuts
          </h2>
          <button
            ref={close}
            type="button"
            onClick={onClose}
            aria-label="Close help"
            className="rounded px-2 py-1 text-muted hover:bg-panel-2"
          >
            ✕
          </button>
        </div>
        <table className="w-full text-sm">
          <tbody>
            {shortcuts.map((s) => (
              <tr key={s.label} className="border-t border-line">
                <td className="py-1.5 pr-3 whitespace-nowrap">
                  {s.keys.map((k, i) => (
                    <span key={k}>
                      {i ? " / " : ""}
                      <kbd>{k}</kbd>
                    </span>
                  ))}
                </td>
                <td className="py-1.5 text-muted">{s.label}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
