"use client";
import { useCallback, useEffect, useMemo, useRef, useState, type PointerEvent as ReactPointerEvent, type RefObject } from "react";
import type Konva from "konva";
import { Circle, Image as KImage, Layer, Line, Stage } from "react-konva";
import type { MaskPainter } from "./mask-painter";
import { GraySurface, MaskSurface } from "./mask-surface";
import { applyWindow, type WindowLevel } from "./window-level";
import { fitView, toImage, toScreen, zoomAt, type View } from "./viewport";

export type Tool = "brush" | "eraser" | "lasso" | "polygon" | "pan";

export type CanvasHandle = {
  fit(): void;
  zoom(factor: number): void;
  polygonActive(): boolean;
  closePolygon(): void;
  cancelPolygon(): void;
  popPolygon(): void;
  /** Repaints whatever the painter changed outside a pointer gesture (undo, fill holes…). */
  refresh(): void;
  toClient(ix: number, iy: number): { x: number; y: number };
  view(): View;
};

type Props = {
  painter: MaskPainter;
  gray: Uint8Array;
  wl: WindowLevel;
  tool: Tool;
  radius: number;
  lassoMode: "add" | "subtract";
  opacity: number;
  outline: boolean;
  readOnly: boolean;
  onEdit: () => void;
  handle: RefObject<CanvasHandle | null>;
};

type Gesture =
  | { kind: "paint"; id: number; value: 0 | 1; last: [number, number] }
  | { kind: "lasso"; id: number; points: number[] }
  | { kind: "pan"; id: number; sx: number; sy: number; view: View }
  | { kind: "pinch"; dist: number; mid: [number, number] };

const CLOSE_PX = 10;

export default function DrawCanvas(p: Props) {
  const wrap = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ w: 0, h: 0 });
  const imageLayer = useRef<Konva.Layer>(null);
  const maskLayer = useRef<Konva.Layer>(null);
  const uiLayer = useRef<Konva.Layer>(null);
  const maskNode = useRef<Konva.Image>(null);
  const cursor = useRef<Konva.Circle>(null);
  const path = useRef<Konva.Line>(null);
  const view = useRef<View>({ scale: 1, x: 0, y: 0 });
  const fitted = useRef(false);
  const gesture = useRef<Gesture | null>(null);
  const polygon = useRef<number[]>([]);
  const hover = useRef<[number, number] | null>(null);
  const touches = useRef(new Map<number, [number, number]>());
  const space = useRef(false);
  const frame = useRef(0);
  const props = useRef(p);
  props.current = p;

  const { painter, gray } = p;
  const maskSurface = useMemo(() => new MaskSurface(painter), [painter]);
  const graySurface = useMemo(() => new GraySurface(gray, painter.width, painter.height), [gray, painter]);

  const drawUi = useCallback(() => {
    const v = view.current;
    const { tool, radius, readOnly } = props.current;
    const c = cursor.current;
    if (c) {
      const h = hover.current;
      const show = !!h && !readOnly && (tool === "brush" || tool === "eraser") && !space.current;
      c.visible(show);
      if (h) c.setAttrs({ x: h[0], y: h[1], radius: Math.max(1, radius * v.scale), stroke: tool === "eraser" ? "#8fd3ff" : "#ffd166" });
    }
    const line = path.current;
    if (line) {
      const g = gesture.current;
      const pts = g?.kind === "lasso" ? g.points : polygon.current;
      const screen: number[] = [];
      for (let i = 0; i < pts.length; i += 2) screen.push(...toScreen(v, pts[i], pts[i + 1]));
      if (g?.kind !== "lasso" && pts.length && hover.current) screen.push(hover.current[0], hover.current[1]);
      line.points(screen);
      line.closed(g?.kind === "lasso");
    }
    uiLayer.current?.batchDraw();
  }, []);

  const paintNow = useCallback(() => {
    if (maskSurface.sync()) maskLayer.current?.draw();
  }, [maskSurface]);

  const requestPaint = useCallback(() => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      paintNow();
      drawUi();
    });
  }, [paintNow, drawUi]);

  const applyView = useCallback(() => {
    const v = view.current;
    for (const l of [imageLayer.current, maskLayer.current]) l?.setAttrs({ x: v.x, y: v.y, scaleX: v.scale, scaleY: v.scale });
    imageLayer.current?.batchDraw();
    maskLayer.current?.batchDraw();
    drawUi();
  }, [drawUi]);

  const fit = useCallback(() => {
    if (!size.w || !size.h) return;
    view.current = fitView(size.w, size.h, painter.width, painter.height);
    applyView();
  }, [size, painter, applyView]);

  const local = (clientX: number, clientY: number): [number, number] => {
    const r = wrap.current!.getBoundingClientRect();
    return [clientX - r.left, clientY - r.top];
  };

  const fillPolygon = useCallback((pts: number[], subtract: boolean) => {
    if (pts.length < 6) return;
    const { lassoMode } = props.current;
    const value = (lassoMode === "add") !== subtract ? 1 : 0;
    painter.beginEdit();
    painter.fillPolygon(pts, value);
    if (painter.endEdit()) props.current.onEdit();
    requestPaint();
  }, [painter, requestPaint]);

  useEffect(() => {
    p.handle.current = {
      fit,
      zoom: (f) => {
        view.current = zoomAt(view.current, size.w / 2, size.h / 2, f);
        applyView();
      },
      polygonActive: () => polygon.current.length > 0,
      closePolygon: () => {
        const pts = polygon.current;
        polygon.current = [];
        fillPolygon(pts, false);
        drawUi();
      },
      cancelPolygon: () => {
        polygon.current = [];
        drawUi();
      },
      popPolygon: () => {
        polygon.current = polygon.current.slice(0, -2);
        drawUi();
      },
      refresh: requestPaint,
      toClient: (ix, iy) => {
        const r = wrap.current!.getBoundingClientRect();
        const [sx, sy] = toScreen(view.current, ix, iy);
        return { x: r.left + sx, y: r.top + sy };
      },
      view: () => ({ ...view.current }),
    };
  });

  useEffect(() => {
    const el = wrap.current!;
    const ro = new ResizeObserver(([e]) => setSize({ w: Math.floor(e.contentRect.width), h: Math.floor(e.contentRect.height) }));
    ro.observe(el);
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
      const [sx, sy] = local(e.clientX, e.clientY);
      view.current = zoomAt(view.current, sx, sy, Math.exp(-e.deltaY * unit * 0.0015));
      applyView();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== " " || (e.target as HTMLElement)?.closest?.("input, textarea, select")) return;
      space.current = e.type === "keydown";
      if (space.current) e.preventDefault();
      el.style.cursor = space.current ? "grab" : "";
      drawUi();
    };
    el.addEventListener("wheel", onWheel, { passive: false });
    window.addEventListener("keydown", onKey);
    window.addEventListener("keyup", onKey);
    return () => {
      ro.disconnect();
      el.removeEventListener("wheel", onWheel);
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("keyup", onKey);
      cancelAnimationFrame(frame.current);
    };
  }, [applyView, drawUi]);

  useEffect(() => {
    if (!fitted.current && size.w && size.h) {
      fitted.current = true;
      fit();
    } else {
      applyView();
    }
  }, [size, fit, applyView]);

  useEffect(() => {
    graySurface.render((g, rgba) => applyWindow(g, rgba, p.wl));
    imageLayer.current?.batchDraw();
  }, [graySurface, p.wl]);

  useEffect(() => {
    painter.setOutlineOnly(p.outline);
    requestPaint();
  }, [painter, p.outline, requestPaint]);

  useEffect(() => {
    maskNode.current?.opacity(p.opacity);
    maskLayer.current?.batchDraw();
  }, [p.opacity]);

  useEffect(() => drawUi(), [p.tool, p.radius, drawUi]);

  const startPinch = () => {
    const [a, b] = [...touches.current.values()];
    const g = gesture.current;
    // A finger that started painting before the second one landed was the start of a pinch.
    if (g?.kind === "paint" && painter.endEdit()) painter.undo();
    gesture.current = { kind: "pinch", dist: Math.hypot(a[0] - b[0], a[1] - b[1]), mid: [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2] };
    requestPaint();
  };

  const onPointerDown = (e: ReactPointerEvent<HTMLDivElement>) => {
    const el = wrap.current!;
    el.focus({ preventScroll: true });
    el.setPointerCapture(e.pointerId);
    const [sx, sy] = local(e.clientX, e.clientY);
    if (e.pointerType === "touch") {
      touches.current.set(e.pointerId, [sx, sy]);
      if (touches.current.size === 2) return startPinch();
      if (touches.current.size > 2) return;
    }
    const { tool, radius, readOnly } = props.current;
    if (e.button === 1 || space.current || tool === "pan" || readOnly) {
      gesture.current = { kind: "pan", id: e.pointerId, sx, sy, view: { ...view.current } };
      el.style.cursor = "grabbing";
      return;
    }
    if (e.button !== 0) return;
    const [ix, iy] = toImage(view.current, sx, sy);
    if (tool === "brush" || tool === "eraser") {
      const value: 0 | 1 = (tool === "brush") !== e.altKey ? 1 : 0;
      painter.beginEdit();
      painter.stroke(ix, iy, ix, iy, radius, value);
      gesture.current = { kind: "paint", id: e.pointerId, value, last: [ix, iy] };
      requestPaint();
    } else if (tool === "lasso") {
      gesture.current = { kind: "lasso", id: e.pointerId, points: [ix, iy] };
    } else if (tool === "polygon") {
      const pts = polygon.current;
      if (pts.length >= 6) {
        const [fx, fy] = toScreen(view.current, pts[0], pts[1]);
        if (Math.hypot(fx - sx, fy - sy) <= CLOSE_PX) {
          polygon.current = [];
          fillPolygon(pts, e.altKey);
          drawUi();
          return;
        }
      }
      polygon.current = [...pts, ix, iy];
      drawUi();
    }
  };

  const onPointerMove = (e: ReactPointerEvent<HTMLDivElement>) => {
    const [sx, sy] = local(e.clientX, e.clientY);
    hover.current = [sx, sy];
    const g = gesture.current;
    if (e.pointerType === "touch" && touches.current.has(e.pointerId)) {
      touches.current.set(e.pointerId, [sx, sy]);
      if (g?.kind === "pinch" && touches.current.size === 2) {
        const [a, b] = [...touches.current.values()];
        const dist = Math.hypot(a[0] - b[0], a[1] - b[1]);
        const mid: [number, number] = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
        const zoomed = zoomAt(view.current, mid[0], mid[1], dist / Math.max(1, g.dist));
        view.current = { ...zoomed, x: zoomed.x + mid[0] - g.mid[0], y: zoomed.y + mid[1] - g.mid[1] };
        gesture.current = { kind: "pinch", dist, mid };
        applyView();
        return;
      }
    }
    if (!g || (g.kind !== "pinch" && g.id !== e.pointerId)) {
      drawUi();
      return;
    }
    if (g.kind === "pan") {
      view.current = { ...g.view, x: g.view.x + sx - g.sx, y: g.view.y + sy - g.sy };
      applyView();
      return;
    }
    const events = e.nativeEvent.getCoalescedEvents?.() ?? [];
    const points = events.length ? events.map((c) => local(c.clientX, c.clientY)) : [[sx, sy] as [number, number]];
    if (g.kind === "paint") {
      const r = props.current.radius;
      for (const [px, py] of points) {
        const [ix, iy] = toImage(view.current, px, py);
        painter.stroke(g.last[0], g.last[1], ix, iy, r, g.value);
        g.last = [ix, iy];
      }
      requestPaint();
    } else if (g.kind === "lasso") {
      for (const [px, py] of points) {
        const [ix, iy] = toImage(view.current, px, py);
        const n = g.points.length;
        if (Math.hypot(ix - g.points[n - 2], iy - g.points[n - 1]) * view.current.scale >= 1) g.points.push(ix, iy);
      }
      drawUi();
    }
  };

  const onPointerUp = (e: ReactPointerEvent<HTMLDivElement>) => {
    touches.current.delete(e.pointerId);
    const g = gesture.current;
    if (g?.kind === "pinch") {
      if (touches.current.size === 0) gesture.current = null;
      return;
    }
    if (!g || g.id !== e.pointerId) return;
    gesture.current = null;
    wrap.current!.style.cursor = space.current ? "grab" : "";
    if (g.kind === "paint") {
      if (painter.endEdit()) props.current.onEdit();
      requestPaint();
    } else if (g.kind === "lasso") {
      fillPolygon(g.points, e.altKey);
      drawUi();
    }
  };

  const onPointerCancel = (e: ReactPointerEvent<HTMLDivElement>) => {
    touches.current.delete(e.pointerId);
    const g = gesture.current;
    if (g?.kind === "paint" && g.id === e.pointerId && painter.endEdit()) props.current.onEdit();
    if (g && (g.kind === "pinch" || g.id === e.pointerId)) gesture.current = null;
    requestPaint();
  };

  const drawing = !p.readOnly && p.tool !== "pan";
  return (
    <div
      ref={wrap}
      tabIndex={0}
      role="application"
      aria-label="Drawing canvas: the chest X-ray with the infection mask"
      data-testid="draw-canvas"
      className="relative h-full w-full touch-none overflow-hidden bg-black outline-none focus-visible:ring-2 focus-visible:ring-accent"
      style={{ cursor: drawing ? "crosshair" : "grab" }}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerCancel}
      onPointerLeave={() => { hover.current = null; drawUi(); }}
      onDoubleClick={() => { if (props.current.tool === "polygon") p.handle.current?.closePolygon(); }}
      onContextMenu={(e) => e.preventDefault()}
    >
      {size.w > 0 && size.h > 0 ? (
        <Stage width={size.w} height={size.h} listening={false}>
          <Layer ref={imageLayer} listening={false}>
            <KImage image={graySurface.canvas} />
          </Layer>
          <Layer ref={maskLayer} listening={false} imageSmoothingEnabled={false}>
            <KImage ref={maskNode} image={maskSurface.canvas} opacity={p.opacity} />
          </Layer>
          <Layer ref={uiLayer} listening={false}>
            <Line ref={path} points={[]} stroke="#ffd166" strokeWidth={1.5} dash={[6, 4]} lineJoin="round" />
            <Circle ref={cursor} radius={1} stroke="#ffd166" strokeWidth={1.5} visible={false} />
          </Layer>
        </Stage>
      ) : null}
    </div>
  );
}
