// The mask being drawn, at the image's native resolution, with no framework attached:
// 0/1 bytes plus an RGBA overlay that is refreshed only where edits landed.
import { onEdge } from "@/lib/masks/edge";
import { capsuleSpans, foregroundBox, holeSpans, polygonSpans } from "./mask-raster";
import { MaskHistory, type Rect, type Step } from "./mask-history";

export type { Rect };
export const OVERLAY_RGB: [number, number, number] = [255, 84, 64];

export class MaskPainter {
  readonly mask: Uint8Array;
  /** Overlay pixels for the screen, width × height × 4; valid after flushOverlay(). */
  readonly rgba: Uint8ClampedArray;
  private readonly history: MaskHistory;
  private dirty: Rect | null = null;
  private editing = false;
  private changed = 0;
  private count = 0;
  private outline = false;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.mask = new Uint8Array(width * height);
    this.rgba = new Uint8ClampedArray(width * height * 4);
    this.history = new MaskHistory(width, height);
  }

  /** Foreground pixels. */
  get area() {
    return this.count;
  }
  get canUndo() {
    return this.history.canUndo;
  }
  get canRedo() {
    return this.history.canRedo;
  }
  get outlineOnly() {
    return this.outline;
  }

  /** Replaces the whole mask (a restored draft): history starts over. */
  load(mask: Uint8Array) {
    if (mask.length !== this.mask.length) throw new Error("mask size differs from the image");
    this.mask.set(mask);
    this.history.reset();
    let n = 0;
    for (let i = 0; i < mask.length; i++) {
      if (mask[i]) {
        this.mask[i] = 1;
        n++;
      }
    }
    this.count = n;
    this.markAll();
  }

  /** Groups the changes until endEdit() into one undo step (a stroke, a lasso fill…). */
  beginEdit() {
    if (this.editing) this.endEdit();
    this.editing = true;
    this.changed = 0;
    this.history.begin();
  }

  /** Returns whether the edit changed any pixel. */
  endEdit(): boolean {
    if (!this.editing) return false;
    this.editing = false;
    this.history.commit(this.changed > 0);
    return this.changed > 0;
  }

  /** One segment of a brush (value 1) or eraser (value 0) stroke, radius r in image pixels. */
  stroke(ax: number, ay: number, bx: number, by: number, r: number, value: 0 | 1) {
    this.within(() =>
      capsuleSpans(ax, ay, bx, by, r, this.width, this.height, (y, x0, x1) => this.setSpan(y, x0, x1, value)),
    );
  }

  fillPolygon(points: ArrayLike<number>, value: 0 | 1) {
    this.within(() => polygonSpans(points, this.width, this.height, (y, x0, x1) => this.setSpan(y, x0, x1, value)));
  }

  fillHoles() {
    const spans: number[] = [];
    holeSpans(this.mask, this.width, this.height, (y, x0, x1) => spans.push(y, x0, x1));
    this.within(() => {
      for (let i = 0; i < spans.length; i += 3) this.setSpan(spans[i], spans[i + 1], spans[i + 2], 1);
    });
  }

  clear() {
    const box = foregroundBox(this.mask, this.width, this.height);
    if (!box) return;
    this.within(() => {
      for (let y = box[1]; y < box[3]; y++) this.setSpan(y, box[0], box[2], 0);
    });
  }

  /** Replaces the content as one undoable edit (e.g. starting from a candidate mask). */
  replace(mask: Uint8Array) {
    this.within(() => {
      for (let y = 0; y < this.height; y++) {
        const row = y * this.width;
        let x = 0;
        while (x < this.width) {
          const v = mask[row + x] ? 1 : 0;
          let e = x + 1;
          while (e < this.width && (mask[row + e] ? 1 : 0) === v) e++;
          this.setSpan(y, x, e, v);
          x = e;
        }
      }
    });
  }

  undo(): boolean {
    return this.swap(() => this.history.undo(this.mask));
  }

  redo(): boolean {
    return this.swap(() => this.history.redo(this.mask));
  }

  setOutlineOnly(on: boolean) {
    if (on === this.outline) return;
    this.outline = on;
    this.markAll();
  }

  /** The region changed since the last call (with the overlay brought up to date), or null. */
  flushOverlay(): Rect | null {
    const d = this.dirty;
    if (!d) return null;
    this.dirty = null;
    // Outline pixels depend on their neighbours: refresh one pixel around the change.
    const r = this.outline
      ? {
          x0: Math.max(0, d.x0 - 1),
          y0: Math.max(0, d.y0 - 1),
          x1: Math.min(this.width, d.x1 + 1),
          y1: Math.min(this.height, d.y1 + 1),
        }
      : d;
    this.paintOverlay(r);
    return r;
  }

  private within(fn: () => void) {
    const own = !this.editing;
    if (own) this.beginEdit();
    fn();
    if (own) this.endEdit();
  }

  private setSpan(y: number, x0: number, x1: number, value: 0 | 1) {
    const m = this.mask;
    const row = y * this.width;
    let i = row + x0;
    const end = row + x1;
    while (i < end && m[i] === value) i++;
    if (i === end) return;
    this.history.touch(m, y, i - row, x1);
    let n = 0;
    for (; i < end; i++) {
      if (m[i] !== value) {
        m[i] = value;
        n++;
      }
    }
    this.changed += n;
    this.count += value ? n : -n;
    this.grow(x0, y, x1, y + 1);
  }

  private swap(step: () => Step | null): boolean {
    if (this.editing) this.endEdit();
    const done = step();
    if (!done) return false;
    this.count += done.areaDelta;
    this.grow(done.rect.x0, done.rect.y0, done.rect.x1, done.rect.y1);
    return true;
  }

  private grow(x0: number, y0: number, x1: number, y1: number) {
    const d = this.dirty;
    if (!d) this.dirty = { x0, y0, x1, y1 };
    else {
      if (x0 < d.x0) d.x0 = x0;
      if (y0 < d.y0) d.y0 = y0;
      if (x1 > d.x1) d.x1 = x1;
      if (y1 > d.y1) d.y1 = y1;
    }
  }

  private markAll() {
    this.dirty = { x0: 0, y0: 0, x1: this.width, y1: this.height };
  }

  private paintOverlay(r: Rect) {
    const { mask, rgba, width, height } = this;
    const [cr, cg, cb] = OVERLAY_RGB;
    for (let y = r.y0; y < r.y1; y++) {
      for (let x = r.x0; x < r.x1; x++) {
        const i = y * width + x;
        let on = mask[i] === 1;
        if (on && this.outline) on = onEdge(mask, width, height, x, y);
        const p = i * 4;
        if (on) {
          rgba[p] = cr;
          rgba[p + 1] = cg;
          rgba[p + 2] = cb;
          rgba[p + 3] = 255;
        } else if (rgba[p + 3] !== 0) {
          rgba[p + 3] = 0;
        }
      }
    }
  }
}
