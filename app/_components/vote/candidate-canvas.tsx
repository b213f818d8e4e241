"use client";
import { useEffect, useRef } from "react";

export type Look = { brightness: number; contrast: number; invert: boolean; zoom: number; panX: number; panY: number };

/** One candidate: the CXR with the mask overlaid. Every candidate is drawn by this same code. */
export function CandidateCanvas({
  cxr,
  mask,
  look,
  label,
  selected,
  onPick,
}: {
  cxr: ImageBitmap;
  mask: ImageBitmap | null;
  look: Look;
  label: string;
  selected: boolean;
  onPick: () => void;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    if (!c) return;
    c.width = cxr.width;
    c.height = cxr.height;
    const ctx = c.getContext("2d")!;
    ctx.filter = `brightness(${look.brightness}) contrast(${look.contrast}) invert(${look.invert ? 1 : 0})`;
    ctx.drawImage(cxr, 0, 0);
    ctx.filter = "none";
    if (mask) {
      const tint = new OffscreenCanvas(cxr.width, cxr.height);
      const t = tint.getContext("2d")!;
      t.drawImage(mask, 0, 0, cxr.width, cxr.height);
      const px = t.getImageData(0, 0, cxr.width, cxr.height);
      for (let i = 0; i < px.data.length; i += 4) {
        const on = px.data[i] > 127;
        px.data[i] = 255;
        px.data[i + 1] = 170;
        px.data[i + 2] = 0;
        px.data[i + 3] = on ? 110 : 0;
      }
      t.putImageData(px, 0, 0);
      ctx.drawImage(tint, 0, 0);
    }
  }, [cxr, mask, look.brightness, look.contrast, look.invert]);
  return (
    <button
      type="button"
      onClick={onPick}
      aria-pressed={selected}
      aria-label={label}
      className={`relative block overflow-hidden rounded-md border-2 bg-black ${selected ? "border-accent" : "border-line"}`}
    >
      <canvas
        ref={ref}
        className="block h-full w-full object-contain"
        style={{
          transform: `translate(${look.panX}px, ${look.panY}px) scale(${look.zoom})`,
          transformOrigin: "center",
        }}
      />
      <span className="absolute top-1 left-1 rounded bg-ink/80 px-1.5 text-sm font-semibold">{label}</span>
    </button>
  );
}
