"use client";
import { useCallback, useEffect, useRef } from "react";

// Counts only active time: the tab is visible and the MD did something in the last minute.
const IDLE_AFTER_MS = 60_000;

export function useActiveTime(initialMs: number) {
  const total = useRef(initialMs);
  const lastInput = useRef(0);
  const lastTick = useRef(0);

  useEffect(() => {
    lastInput.current = performance.now();
    lastTick.current = performance.now();
    const touch = () => {
      lastInput.current = performance.now();
    };
    const tick = () => {
      const now = performance.now();
      const active = document.visibilityState === "visible" && now - lastInput.current < IDLE_AFTER_MS;
      if (active) total.current += Math.min(now - lastTick.current, 5_000);
      lastTick.current = now;
    };
    const events = ["pointerdown", "pointermove", "keydown", "wheel"] as const;
    events.forEach((e) => window.addEventListener(e, touch, { passive: true }));
    const id = window.setInterval(tick, 1000);
    return () => {
      events.forEach((e) => window.removeEventListener(e, touch));
      window.clearInterval(id);
    };
  }, []);

  return useCallback(() => Math.round(total.current), []);
}
