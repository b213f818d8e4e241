"use client";
import { useRef, useState, type PointerEvent } from "react";
import { useRouter } from "next/navigation";
import { Badge, Button, ErrorNote } from "../ui";
import type { PendingImage, Region } from "@/lib/review/types";
import { imageLabel } from "@/lib/labels/short-id";

type Point = { x: number; y: number };

const toRegion = (a: Point, b: Point): Region => ({
  x: Math.min(a.x, b.x),
  y: Math.min(a.y, b.y),
  width: Math.abs(a.x - b.x),
  height: Math.abs(a.y - b.y),
});

/**
 * One held-back image at full width with a rectangle the lead drags over burned-in text. The
 * rectangle is kept in the image's own pixels (the display may be scaled), so what is painted
 * is exactly what was drawn.
 */
export function BurnedInReviewer({
  slug,
  image,
  position,
  total,
}: {
  slug: string;
  image: PendingImage;
  position: number;
  total: number;
}) {
  const router = useRouter();
  const picture = useRef<HTMLImageElement>(null);
  const [start, setStart] = useState<Point | null>(null);
  const [region, setRegion] = useState<Region | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  /** Pointer position in image pixels, clamped to the image. */
  function at(e: PointerEvent<HTMLDivElement>): Point {
    const box = picture.current!.getBoundingClientRect();
    const sx = image.width / box.width;
    const sy = image.height / box.height;
    return {
      x: Math.max(0, Math.min(image.width, Math.round((e.clientX - box.left) * sx))),
      y: Math.max(0, Math.min(image.height, Math.round((e.clientY - box.top) * sy))),
    };
  }

  async function decide(decision: "RELEASE" | "EXCLUDE" | "MASK") {
    setBusy(true);
    setError(null);
    const r = await fetch(`/api/images/${image.id}/burned-in-review`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(decision === "MASK" ? { decision, region } : { decision }),
    });
    setBusy(false);
    if (!r.ok) {
      setError((await r.json().catch(() => null))?.error?.message ?? `Failed (${r.status})`);
      return;
    }
    const next = (await r.json()) as { nextImageId: string | null };
    router.push(`/projects/${slug}/review/burned-in${next.nextImageId ? `?image=${next.nextImageId}` : ""}`);
    router.refresh();
  }

  const pct = (v: number, of: number) => `${(100 * v) / of}%`;
  return (
    <div className="space-y-3" data-testid="burned-in-reviewer">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span>
          Image {position} of {total}
        </span>
        <span className="text-muted">
          {imageLabel(image.id)} · {image.sourceFormat} · {image.width}×{image.height} · {image.label}
        </span>
        {image.flags.map((f) => (
          <Badge key={f} tone={f === "burned-in-annotation" ? "warn" : "default"}>
            {f}
          </Badge>
        ))}
      </div>
      <div
        data-testid="burned-in-canvas"
        className="relative max-w-3xl cursor-crosshair touch-none select-none border border-line"
        style={{ aspectRatio: `${image.width} / ${image.height}` }}
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          const p = at(e);
          setStart(p);
          setRegion(null);
        }}
        onPointerMove={(e) => {
          if (start) setRegion(toRegion(start, at(e)));
        }}
        onPointerUp={(e) => {
          if (!start) return;
          const r = toRegion(start, at(e));
          setRegion(r.width > 0 && r.height > 0 ? r : null);
          setStart(null);
        }}
      >
        {/* eslint-disable-next-line @next/next/no-img-element */}
        <img
          ref={picture}
          src={`/api/images/${image.id}/working`}
          alt="Held back for burned-in text"
          draggable={false}
          className="block h-full w-full"
        />
        {region ? (
          <div
            data-testid="burned-in-region"
            className="pointer-events-none absolute border-2 border-bad bg-black/70"
            style={{
              left: pct(region.x, image.width),
              top: pct(region.y, image.height),
              width: pct(region.width, image.width),
              height: pct(region.height, image.height),
            }}
          />
        ) : null}
      </div>
      <p className="text-sm text-muted" data-testid="burned-in-region-text">
        {region
          ? `Rectangle: x ${region.x}, y ${region.y}, ${region.width}×${region.height} pixels`
          : "Drag over the image to draw the rectangle to paint black."}
      </p>
      <div className="flex flex-wrap gap-2">
        <Button disabled={busy} onClick={() => decide("RELEASE")}>
          Release: no identifying text
        </Button>
        <Button disabled={busy || !region} onClick={() => decide("MASK")}>
          Mask the rectangle, then release
        </Button>
        <Button variant="danger" disabled={busy} onClick={() => decide("EXCLUDE")}>
          Exclude from exports
        </Button>
      </div>
      <ErrorNote message={error} />
    </div>
  );
}
