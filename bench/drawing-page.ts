// Browser side of drawing.bench.ts: the workspace's painting pipeline without React —
// the same painter, surfaces and Konva layers as app/_components/draw/draw-canvas.tsx.
import Konva from "konva";
import { MaskPainter } from "../app/_components/draw/mask-painter";
import { GraySurface, MaskSurface } from "../app/_components/draw/mask-surface";
import { encodeBilevelPng } from "../lib/drawing/bilevel-png";
import { applyWindow, DEFAULT_WL } from "../app/_components/draw/window-level";
import { fitView } from "../app/_components/draw/viewport";
import { CanvasInput } from "../app/_components/draw/canvas-input";

type Setup = { size: number; radius: number };

let session: {
  painter: MaskPainter;
  surface: MaskSurface;
  layer: Konva.Layer;
  stage: Konva.Stage;
  latencies: number[];
  work: number[];
} | null = null;

const frame = () => new Promise<number>((r) => requestAnimationFrame(r));

function setup({ size, radius }: Setup) {
  session?.stage.destroy();
  // A fresh element: the previous size's listeners must not see this run's events.
  const old = document.getElementById("stage")!;
  const host = old.cloneNode(false) as HTMLDivElement;
  old.replaceWith(host);
  const gray = new Uint8Array(size * size);
  for (let i = 0; i < gray.length; i++) gray[i] = (i * 2654435761) >>> 24;
  const painter = new MaskPainter(size, size);
  const cxr = new GraySurface(gray, size, size);
  cxr.render((g, rgba) => applyWindow(g, rgba, DEFAULT_WL));
  const surface = new MaskSurface(painter);
  const stage = new Konva.Stage({
    container: host,
    width: host.clientWidth,
    height: host.clientHeight,
    listening: false,
  });
  const v = fitView(stage.width(), stage.height(), size, size);
  const image = new Konva.Layer({ listening: false, x: v.x, y: v.y, scaleX: v.scale, scaleY: v.scale });
  image.add(new Konva.Image({ image: cxr.canvas }));
  const layer = new Konva.Layer({
    listening: false,
    imageSmoothingEnabled: false,
    x: v.x,
    y: v.y,
    scaleX: v.scale,
    scaleY: v.scale,
  });
  layer.add(new Konva.Image({ image: surface.canvas, opacity: 0.5 }));
  stage.add(image, layer);
  stage.draw();
  const rect = host.getBoundingClientRect();
  let pending: number[] = [];
  let handlerMs = 0;
  let scheduled = false;
  const s = {
    painter,
    surface,
    layer,
    stage,
    latencies: [] as number[],
    work: [] as number[],
  };
  // The workspace's input path (CanvasInput), rendering like draw-canvas.tsx: paint into
  // the mask in the event, copy the dirty rectangle and redraw the layer on the next frame.
  const input = new CanvasInput({
    painter,
    settings: () => ({ tool: "brush", radius, lassoMode: "add", readOnly: false }),
    view: () => v,
    setView: () => undefined,
    local: (x, y) => [x - rect.left, y - rect.top],
    paint: () => {
      if (scheduled) return;
      scheduled = true;
      requestAnimationFrame(() => {
        const t1 = performance.now();
        if (surface.sync()) layer.draw();
        const t2 = performance.now();
        s.work.push(handlerMs + (t2 - t1));
        for (const ts of pending) s.latencies.push(t2 - ts);
        pending = [];
        handlerMs = 0;
        scheduled = false;
      });
    },
    overlay: () => undefined,
    edited: () => undefined,
    setCursor: () => undefined,
  });
  host.addEventListener("pointerdown", (e) => input.down(e));
  host.addEventListener("pointerup", (e) => input.up(e));
  host.addEventListener("pointermove", (e) => {
    const t0 = performance.now();
    if (e.buttons & 1) pending.push(e.timeStamp);
    input.move(e);
    handlerMs += performance.now() - t0;
  });
  session = s;
  return { scale: v.scale, left: rect.left, top: rect.top };
}

/** ~n disjoint discs on a grid, drawn through the painter (what a busy mask looks like). */
function manyRegions(size: number, n: number) {
  const painter = new MaskPainter(size, size);
  const cells = Math.ceil(Math.sqrt(n));
  const cell = size / cells;
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  let regions = 0;
  for (let gy = 0; gy < cells; gy++) {
    for (let gx = 0; gx < cells && regions < n; gx++, regions++) {
      const r = 2 + rnd() * (cell / 2 - 4);
      const cx = (gx + 0.5) * cell,
        cy = (gy + 0.5) * cell;
      painter.stroke(cx, cy, cx + rnd() * 2, cy, r, 1);
    }
  }
  return { painter, regions };
}

function median(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function encodeBench(size: number, n: number) {
  const { painter, regions } = manyRegions(size, n);
  const times: number[] = [];
  let png: Uint8Array = new Uint8Array();
  for (let i = 0; i < 6; i++) {
    const t = performance.now();
    png = encodeBilevelPng(painter.mask, size, size);
    times.push(performance.now() - t);
    await frame();
  }
  const t = performance.now();
  painter.fillHoles();
  const fill = performance.now() - t;
  const u = performance.now();
  painter.undo();
  const undo = performance.now() - u;
  return {
    encodeMs: median(times.slice(1)),
    bytes: png.length,
    regions,
    area: painter.area,
    fillHolesMs: fill,
    undoFillMs: undo,
    png: Array.from(png),
  };
}

function windowBench(size: number) {
  const gray = new Uint8Array(size * size);
  const rgba = new Uint8ClampedArray(size * size * 4);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    applyWindow(gray, rgba, { level: 100 + i, width: 120, invert: i % 2 === 1 });
    times.push(performance.now() - t);
  }
  return median(times);
}

function take() {
  const s = session!;
  const out = { latencies: s.latencies, work: s.work, area: s.painter.area };
  s.latencies = [];
  s.work = [];
  return out;
}

Object.assign(window, { drawingBench: { setup, take, encodeBench, windowBench } });
