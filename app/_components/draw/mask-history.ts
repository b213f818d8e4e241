// Undo/redo as copy-on-write tiles: the first time an edit touches a 64×64 tile, its old
// bytes are saved. Undo swaps saved and current bytes, which turns the entry into its redo.
// A brush stroke costs a few tiles, not a full-resolution snapshot.

export const TILE = 64;

export type Rect = { x0: number; y0: number; x1: number; y1: number };
/** What an undo or redo changed: the rectangle and the change in foreground pixels. */
export type Step = { rect: Rect; areaDelta: number };

type Entry = { tiles: Map<number, Uint8Array>; bytes: number };

export class MaskHistory {
  private readonly cols: number;
  private readonly rows: number;
  private current: Entry | null = null;
  private undoStack: Entry[] = [];
  private redoStack: Entry[] = [];
  private bytes = 0;

  constructor(
    private readonly width: number,
    private readonly height: number,
    private readonly maxSteps = 200,
    private readonly maxBytes = 256 * 1024 * 1024,
  ) {
    this.cols = Math.ceil(width / TILE);
    this.rows = Math.ceil(height / TILE);
  }

  get canUndo() {
    return this.undoStack.length > 0;
  }
  get canRedo() {
    return this.redoStack.length > 0;
  }
  get steps() {
    return this.undoStack.length;
  }

  begin() {
    this.current = { tiles: new Map(), bytes: 0 };
  }

  /** Saves the tiles covering [x0, x1) on row y before they are first changed in this edit. */
  touch(mask: Uint8Array, y: number, x0: number, x1: number) {
    const e = this.current;
    if (!e) return;
    const ty = (y / TILE) | 0;
    for (let tx = (x0 / TILE) | 0, last = ((x1 - 1) / TILE) | 0; tx <= last; tx++) {
      const id = ty * this.cols + tx;
      if (e.tiles.has(id)) continue;
      const copy = this.copyTile(mask, tx, ty);
      e.tiles.set(id, copy);
      e.bytes += copy.length;
    }
  }

  /** Ends the edit; an edit that changed nothing leaves no step. */
  commit(changed: boolean) {
    const e = this.current;
    this.current = null;
    if (!e || !changed || e.tiles.size === 0) return;
    this.undoStack.push(e);
    this.bytes += e.bytes;
    for (const r of this.redoStack) this.bytes -= r.bytes;
    this.redoStack = [];
    while (this.undoStack.length > this.maxSteps || (this.bytes > this.maxBytes && this.undoStack.length > 1)) {
      this.bytes -= this.undoStack.shift()!.bytes;
    }
  }

  undo(mask: Uint8Array): Step | null {
    return this.move(mask, this.undoStack, this.redoStack);
  }

  redo(mask: Uint8Array): Step | null {
    return this.move(mask, this.redoStack, this.undoStack);
  }

  reset() {
    this.current = null;
    this.undoStack = [];
    this.redoStack = [];
    this.bytes = 0;
  }

  private move(mask: Uint8Array, from: Entry[], to: Entry[]): Step | null {
    const e = from.pop();
    if (!e) return null;
    const rect: Rect = { x0: this.width, y0: this.height, x1: 0, y1: 0 };
    let areaDelta = 0;
    for (const [id, saved] of e.tiles) {
      const tx = id % this.cols,
        ty = (id / this.cols) | 0;
      const now = this.copyTile(mask, tx, ty);
      this.writeTile(mask, tx, ty, saved);
      e.tiles.set(id, now);
      for (let i = 0; i < saved.length; i++) areaDelta += saved[i] - now[i];
      rect.x0 = Math.min(rect.x0, tx * TILE);
      rect.y0 = Math.min(rect.y0, ty * TILE);
      rect.x1 = Math.max(rect.x1, Math.min(this.width, (tx + 1) * TILE));
      rect.y1 = Math.max(rect.y1, Math.min(this.height, (ty + 1) * TILE));
    }
    to.push(e);
    return { rect, areaDelta };
  }

  private tileSize(tx: number, ty: number) {
    return [Math.min(TILE, this.width - tx * TILE), Math.min(TILE, this.height - ty * TILE)];
  }

  private copyTile(mask: Uint8Array, tx: number, ty: number): Uint8Array {
    const [w, h] = this.tileSize(tx, ty);
    const out = new Uint8Array(w * h);
    for (let r = 0; r < h; r++) {
      const start = (ty * TILE + r) * this.width + tx * TILE;
      out.set(mask.subarray(start, start + w), r * w);
    }
    return out;
  }

  private writeTile(mask: Uint8Array, tx: number, ty: number, data: Uint8Array) {
    const [w, h] = this.tileSize(tx, ty);
    for (let r = 0; r < h; r++) mask.set(data.subarray(r * w, r * w + w), (ty * TILE + r) * this.width + tx * TILE);
  }
}
