"use client";
import { useId, useState } from "react";

/** A CXR with its infection map on top; the slider sets the map's opacity. */
export function OverlayViewer({
  baseSrc,
  overlaySrc,
  width,
  height,
  alt,
  initialOpacity = 0.7,
}: {
  baseSrc: string;
  overlaySrc: string | null;
  width: number;
  height: number;
  alt: string;
  initialOpacity?: number;
}) {
  const [opacity, setOpacity] = useState(initialOpacity);
  const id = useId();
  return (
    <div className="space-y-2" data-testid="overlay-viewer">
      <div className="relative w-full max-w-2xl bg-black" style={{ aspectRatio: `${width} / ${height}` }}>
        <img src={baseSrc} alt={alt} className="absolute inset-0 h-full w-full object-contain" draggable={false} />
        {overlaySrc ? (
          <img
            src={overlaySrc}
            alt={`${alt}: infection map`}
            data-testid="infection-map"
            className="absolute inset-0 h-full w-full object-contain"
            style={{ opacity }}
            draggable={false}
          />
        ) : null}
      </div>
      <label htmlFor={id} className="flex items-center gap-3 text-sm text-muted">
        Infection map opacity
        <input
          id={id}
          type="range"
          min={0}
          max={100}
          step={1}
          value={Math.round(opacity * 100)}
          onChange={(e) => setOpacity(Number(e.target.value) / 100)}
          className="w-48"
          aria-valuetext={`${Math.round(opacity * 100)}%`}
        />
        <span className="w-10 tabular-nums">{Math.round(opacity * 100)}%</span>
      </label>
    </div>
  );
}
