"use client";
import { useState } from "react";
import { OverlayViewer } from "./overlay-viewer";
import { JetLegend, type LegendStop } from "./jet-legend";
import { imageLabel, shortIds } from "@/lib/labels/short-id";

export type PredictionItem = {
  maskId: string;
  imageId: string;
  width: number;
  height: number;
  area: number;
  hasProb: boolean;
};

/** A run's stored predictions: pick one to see its infection map over the CXR. */
export function PredictionBrowser({ items, legend }: { items: PredictionItem[]; legend: LegendStop[] }) {
  const [selected, setSelected] = useState(items[0]?.maskId ?? null);
  const item = items.find((i) => i.maskId === selected) ?? null;
  const tails = shortIds(items.map((i) => i.imageId));
  if (!items.length) return <p className="text-sm text-muted">This run has no stored predictions yet.</p>;
  return (
    <div className="grid gap-4 md:grid-cols-[14rem_1fr]">
      <ul className="max-h-[32rem] space-y-1 overflow-y-auto text-xs" aria-label="Predicted images">
        {items.map((i) => (
          <li key={i.maskId}>
            <button
              type="button"
              onClick={() => setSelected(i.maskId)}
              aria-pressed={i.maskId === selected}
              className={`w-full rounded px-2 py-1 text-left font-mono ${i.maskId === selected ? "bg-panel-2 text-text" : "text-muted hover:bg-panel-2"}`}
            >
              {imageLabel(i.imageId, tails.get(i.imageId))} ·{" "}
              {i.area ? `${((100 * i.area) / (i.width * i.height)).toFixed(1)}% infected` : "empty"}
            </button>
          </li>
        ))}
      </ul>
      {item ? (
        <div className="space-y-2">
          <OverlayViewer
            key={item.maskId}
            baseSrc={`/api/images/${item.imageId}/working`}
            overlaySrc={item.hasProb ? `/api/masks/${item.maskId}/infection-map` : null}
            width={item.width}
            height={item.height}
            alt={imageLabel(item.imageId, tails.get(item.imageId))}
          />
          <JetLegend stops={legend} />
        </div>
      ) : null}
    </div>
  );
}
