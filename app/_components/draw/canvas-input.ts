// Pointer input for the drawing canvas, framework-free: brush and eraser strokes, freehand
// and polygon lassos, pan (space, middle button, hand tool) and two-finger pinch. The
// component (and the benchmark) wire DOM events to it and render what it asks for.
import type { MaskPainter } from "./mask-painter";
import { toImage, toScreen, zoomAt, type View } from "./viewport";

export type Tool = "brush" | "eraser" | "lasso" | "polygon" | "pan" | "smart";
export type InputSettings = { tool: Tool; radius: number; lassoMode: "add" | "subtract"; readOnly: boolean };

export type InputHost = {
  painter: MaskPainter;
  settings(): InputSettings;
  view(): View;
  setView(v: View): void;
  /** Client coordinates → coordinates inside the canvas element. */
  local(clientX: number, clientY: number): [number, number];
  /** The mask changed: repaint it on the next frame. */
  paint(): void;
  /** The cursor or the lasso path changed. */
  overlay(): void;
  /** An undoable edit ended with a change. */
  edited(): void;
  setCursor(cursor: string): void;
  /** Smart tool: a click at native pixel (x, y); positive adds, negative removes. */
  smartClick?(x: number, y: number, positive: boolean): void;
};

type Gesture =
  | { kind: "paint"; id: number; value: 0 | 1; last: [number, number] }
  | { kind: "lasso"; id: number; points: number[] }
  | { kind: "pan"; id: number; sx: number; sy: number; view: View }
  | { kind: "pinch"; dist: number; mid: [number, number] };

const CLOSE_PX = 10;

export class CanvasInput {
  private gesture: Gesture | null = null;
  private polygon: number[] = [];
  private touches = new Map<number, [number, number]>();
  private space = false;
  /** Pointer position inside the canvas, or null when it is outside. */
  hover: [number, number] | null = null;

  constructor(private readonly host: InputHost) {}

  get panning() {
    return this.space;
  }

  setSpace(on: boolean) {
    this.space = on;
    this.host.setCursor(on ? "grab" : "");
    this.host.overlay();
  }

  polygonActive() {
    return this.polygon.length > 0;
  }

  closePolygon(subtract = false) {
    const pts = this.polygon;
    this.polygon = [];
    this.fill(pts, subtract);
    this.host.overlay();
  }

  cancelPolygon() {
    this.polygon = [];
    this.host.overlay();
  }

  popPolygon() {
    this.polygon = this.polygon.slice(0, -2);
    this.host.overlay();
  }

  /** The path to draw over the image (screen coordinates), and whether it is closed. */
  path(): { points: number[]; closed: boolean } {
    const v = this.host.view();
    const g = this.gesture;
    const pts = g?.kind === "lasso" ? g.points : this.polygon;
    const out: number[] = [];
    for (let i = 0; i < pts.length; i += 2) out.push(...toScreen(v, pts[i], pts[i + 1]));
    if (g?.kind !== "lasso" && pts.length && this.hover) out.push(...this.hover);
    return { points: out, closed: g?.kind === "lasso" };
  }

  down(e: PointerEvent) {
    const [sx, sy] = this.host.local(e.clientX, e.clientY);
    if (e.pointerType === "touch") {
      this.touches.set(e.pointerId, [sx, sy]);
      if (this.touches.size === 2) return this.startPinch();
      if (this.touches.size > 2) return;
    }
    const { tool, radius, readOnly } = this.host.settings();
    if (e.button === 1 || this.space || tool === "pan" || readOnly) {
      this.gesture = { kind: "pan", id: e.pointerId, sx, sy, view: { ...this.host.view() } };
      this.host.setCursor("grabbing");
      return;
    }
    if (tool === "smart" && (e.button === 0 || e.button === 2)) {
      const [cx, cy] = toImage(this.host.view(), sx, sy);
      const { width, height } = this.host.painter;
      if (cx >= 0 && cy >= 0 && cx < width && cy < height)
        this.host.smartClick?.(Math.floor(cx), Math.floor(cy), e.button === 0 && !e.altKey);
      return;
    }
    if (e.button !== 0) return;
    const [ix, iy] = toImage(this.host.view(), sx, sy);
    if (tool === "brush" || tool === "eraser") {
      const value: 0 | 1 = (tool === "brush") !== e.altKey ? 1 : 0;
      this.host.painter.beginEdit();
      this.host.painter.stroke(ix, iy, ix, iy, radius, value);
      this.gesture = { kind: "paint", id: e.pointerId, value, last: [ix, iy] };
      this.host.paint();
    } else if (tool === "lasso") {
      this.gesture = { kind: "lasso", id: e.pointerId, points: [ix, iy] };
    } else if (tool === "polygon") {
      const pts = this.polygon;
      if (pts.length >= 6) {
        const [fx, fy] = toScreen(this.host.view(), pts[0], pts[1]);
        if (Math.hypot(fx - sx, fy - sy) <= CLOSE_PX) return this.closePolygon(e.altKey);
      }
      this.polygon = [...pts, ix, iy];
      this.host.overlay();
    }
  }

  move(e: PointerEvent) {
    const [sx, sy] = this.host.local(e.clientX, e.clientY);
    this.hover = [sx, sy];
    const g = this.gesture;
    if (e.pointerType === "touch" && this.touches.has(e.pointerId)) {
      this.touches.set(e.pointerId, [sx, sy]);
      if (g?.kind === "pinch" && this.touches.size === 2) return this.pinch(g);
    }
    if (!g || (g.kind !== "pinch" && g.id !== e.pointerId)) return this.host.overlay();
    if (g.kind === "pan") {
      this.host.setView({ ...g.view, x: g.view.x + sx - g.sx, y: g.view.y + sy - g.sy });
      return;
    }
    // Coalesced events carry every position the pointer passed since the last frame.
    const all = e.getCoalescedEvents?.() ?? [];
    const points = all.length ? all.map((c) => this.host.local(c.clientX, c.clientY)) : [[sx, sy] as [number, number]];
    const v = this.host.view();
    if (g.kind === "paint") {
      const r = this.host.settings().radius;
      for (const [px, py] of points) {
        const [ix, iy] = toImage(v, px, py);
        this.host.painter.stroke(g.last[0], g.last[1], ix, iy, r, g.value);
        g.last = [ix, iy];
      }
      this.host.paint();
    } else if (g.kind === "lasso") {
      for (const [px, py] of points) {
        const [ix, iy] = toImage(v, px, py);
        const n = g.points.length;
        if (Math.hypot(ix - g.points[n - 2], iy - g.points[n - 1]) * v.scale >= 1) g.points.push(ix, iy);
      }
      this.host.overlay();
    }
  }

  up(e: PointerEvent) {
    this.touches.delete(e.pointerId);
    const g = this.gesture;
    if (g?.kind === "pinch") {
      if (this.touches.size === 0) this.gesture = null;
      return;
    }
    if (!g || g.id !== e.pointerId) return;
    this.gesture = null;
    this.host.setCursor(this.space ? "grab" : "");
    if (g.kind === "paint") {
      if (this.host.painter.endEdit()) this.host.edited();
      this.host.paint();
    } else if (g.kind === "lasso") {
      this.fill(g.points, e.altKey);
      this.host.overlay();
    }
  }

  cancel(e: PointerEvent) {
    this.touches.delete(e.pointerId);
    const g = this.gesture;
    if (g?.kind === "paint" && g.id === e.pointerId && this.host.painter.endEdit()) this.host.edited();
    if (g && (g.kind === "pinch" || g.id === e.pointerId)) this.gesture = null;
    this.host.paint();
  }

  leave() {
    this.hover = null;
    this.host.overlay();
  }

  private fill(pts: number[], subtract: boolean) {
    if (pts.length < 6) return;
    const value = (this.host.settings().lassoMode === "add") !== subtract ? 1 : 0;
    const p = this.host.painter;
    p.beginEdit();
    p.fillPolygon(pts, value);
    if (p.endEdit()) this.host.edited();
    this.host.paint();
  }

  private startPinch() {
    const [a, b] = [...this.touches.values()];
    const g = this.gesture;
    // A finger that began painting before the second one landed was the start of a pinch.
    if (g?.kind === "paint" && this.host.painter.endEdit()) this.host.painter.undo();
    this.gesture = {
      kind: "pinch",
      dist: Math.hypot(a[0] - b[0], a[1] - b[1]),
      mid: [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2],
    };
    this.host.paint();
  }

  private pinch(g: Extract<Gesture, { kind: "pinch" }>) {
    const [a, b] = [...this.touches.values()];
    const dist = Math.hypot(a[0] - b[0], a[1] - b[1]);
    const mid: [number, number] = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    const z = zoomAt(this.host.view(), mid[0], mid[1], dist / Math.max(1, g.dist));
    this.gesture = { kind: "pinch", dist, mid };
    this.host.setView({ ...z, x: z.x + mid[0] - g.mid[0], y: z.y + mid[1] - g.mid[1] });
  }
}
