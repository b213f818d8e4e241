"use client";
import { useCallback, useEffect, useMemo, useRef, useState, type RefObject } from "react";
import type Konva from "konva";
import { Circle, Image as KImage, Layer, Line, Stage } from "react-konva";
import { CanvasInput, type Tool } from "./canvas-input";
import type { MaskPainter } from "./mask-painter";
import { GraySurface, MaskSurface } from "./mask-surface";
import { applyWindow, type WindowLevel } from "./window-level";
import { fitView, toScreen, zoomAt, type View } from "./viewport";

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
  /** The Smart tool's proposal (not yet committed) and its clicks, drawn apart from the mask. */
  proposal?: { canvas: HTMLCanvasElement; clicks: { x: number; y: number; positive: boolean }[] } | null;
  onSmartClick?: (x: number, y: number, positive: boolean) => void;
};

/**
 * The CXR and the mask on a Konva stage. Both are native-resolution canvases drawn through
 * the view transform; a stroke repaints only the mask layer, once per animation frame.
 */
export default function DrawCanvas(p: Props) {
  const wrap = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ w: 0, h: 0 });
  const imageLayer = useRef<Konva.Layer>(null);
  const maskLayer = useRef<Konva.Layer>(null);
  const uiLayer = useRef<Konva.Layer>(null);
  const proposalLayer = useRef<Konva.Layer>(null);
  const maskNode = useRef<Konva.Image>(null);
  const cursor = useRef<Konva.Circle>(null);
  const path = useRef<Konva.Line>(null);
  const view = useRef<View>({ scale: 1, x: 0, y: 0 });
  const fitted = useRef(false);
  const frame = useRef(0);
  const props = useRef(p);
  props.current = p;

  const { painter, gray } = p;
  const maskSurface = useMemo(() => new MaskSurface(painter), [painter]);
  const graySurface = useMemo(() => new GraySurface(gray, painter.width, painter.height), [gray, painter]);

  const drawUi = useCallback(() => {
    const input = inputRef.current;
    const { tool, radius, readOnly } = props.current;
    const h = input?.hover;
    const c = cursor.current;
    if (c) {
      c.visible(!!h && !readOnly && (tool === "brush" || tool === "eraser") && !input?.panning);
      if (h)
        c.setAttrs({
          x: h[0],
          y: h[1],
          radius: Math.max(1, radius * view.current.scale),
          stroke: tool === "eraser" ? "#8fd3ff" : "#ffd166",
        });
    }
    if (path.current && input) {
      const { points, closed } = input.path();
      path.current.setAttrs({ points, closed });
    }
    uiLayer.current?.batchDraw();
  }, []);

  const requestPaint = useCallback(() => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      if (maskSurface.sync()) maskLayer.current?.draw();
      drawUi();
    });
  }, [maskSurface, drawUi]);

  const applyView = useCallback(() => {
    const v = view.current;
    for (const l of [imageLayer.current, maskLayer.current, proposalLayer.current])
      l?.setAttrs({ x: v.x, y: v.y, scaleX: v.scale, scaleY: v.scale });
    imageLayer.current?.batchDraw();
    maskLayer.current?.batchDraw();
    proposalLayer.current?.batchDraw();
    drawUi();
  }, [drawUi]);

  const local = useCallback((clientX: number, clientY: number): [number, number] => {
    const r = wrap.current!.getBoundingClientRect();
    return [clientX - r.left, clientY - r.top];
  }, []);

  const input = useMemo(
    () =>
      new CanvasInput({
        painter,
        settings: () => props.current,
        view: () => view.current,
        setView: (v) => {
          view.current = v;
          applyView();
        },
        local,
        paint: requestPaint,
        overlay: drawUi,
        edited: () => props.current.onEdit(),
        setCursor: (c) => {
          if (wrap.current) wrap.current.style.cursor = c;
        },
        smartClick: (x, y, positive) => props.current.onSmartClick?.(x, y, positive),
      }),
    [painter, applyView, local, requestPaint, drawUi],
  );
  const inputRef = useRef(input);
  inputRef.current = input;

  const fit = useCallback(() => {
    if (!size.w || !size.h) return;
    view.current = fitView(size.w, size.h, painter.width, painter.height);
    applyView();
  }, [size, painter, applyView]);

  useEffect(() => {
    p.handle.current = {
      fit,
      zoom: (f) => {
        view.current = zoomAt(view.current, size.w / 2, size.h / 2, f);
        applyView();
      },
      polygonActive: () => input.polygonActive(),
      closePolygon: () => input.closePolygon(),
      cancelPolygon: () => input.cancelPolygon(),
      popPolygon: () => input.popPolygon(),
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
    const ro = new ResizeObserver(([e]) =>
      setSize({ w: Math.floor(e.contentRect.width), h: Math.floor(e.contentRect.height) }),
    );
    ro.observe(el);
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
      const [sx, sy] = local(e.clientX, e.clientY);
      view.current = zoomAt(view.current, sx, sy, Math.exp(-e.deltaY * unit * 0.0015));
      applyView();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== " " || (e.target as HTMLElement)?.closest?.("input, textarea, select, button")) return;
      e.preventDefault();
      if (!e.repeat) input.setSpace(e.type === "keydown");
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
      frame.current = 0;
    };
  }, [applyView, local, input]);

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

  // biome-ignore lint/correctness/useExhaustiveDependencies: drawUi reads the tool and radius through refs; a change must repaint
  useEffect(() => drawUi(), [p.tool, p.radius, drawUi]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new proposal is drawn into the layer, which then needs the current view
  useEffect(() => {
    const v = view.current;
    proposalLayer.current?.setAttrs({ x: v.x, y: v.y, scaleX: v.scale, scaleY: v.scale });
    proposalLayer.current?.batchDraw();
  }, [p.proposal]);

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
      onPointerDown={(e) => {
        wrap.current!.focus({ preventScroll: true });
        wrap.current!.setPointerCapture(e.pointerId);
        input.down(e.nativeEvent);
      }}
      onPointerMove={(e) => input.move(e.nativeEvent)}
      onPointerUp={(e) => input.up(e.nativeEvent)}
      onPointerCancel={(e) => input.cancel(e.nativeEvent)}
      onPointerLeave={() => input.leave()}
      onDoubleClick={() => {
        if (props.current.tool === "polygon") input.closePolygon();
      }}
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
          <Layer ref={proposalLayer} listening={false} imageSmoothingEnabled={false}>
            {p.proposal ? <KImage image={p.proposal.canvas} opacity={0.55} /> : null}
            {p.proposal?.clicks.map((c, i) => (
              <Circle
                key={i}
                x={c.x + 0.5}
                y={c.y + 0.5}
                radius={5 / view.current.scale}
                strokeWidth={2 / view.current.scale}
                fill={c.positive ? "#3ddc84" : "#ff4d6d"}
                stroke="#000"
              />
            ))}
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
