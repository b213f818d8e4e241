// The painter's overlay on a native-resolution canvas, updated only where the mask changed.
import type { MaskPainter } from "./mask-painter";

export class MaskSurface {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly image: ImageData;

  constructor(readonly painter: MaskPainter) {
    this.canvas = document.createElement("canvas");
    this.canvas.width = painter.width;
    this.canvas.height = painter.height;
    this.ctx = this.canvas.getContext("2d")!;
    // Shares the painter's buffer: putImageData copies only the dirty rectangle out of it.
    this.image = new ImageData(painter.rgba as Uint8ClampedArray<ArrayBuffer>, painter.width, painter.height);
  }

  /** Brings the canvas up to date; false when nothing changed since the last call. */
  sync(): boolean {
    const r = this.painter.flushOverlay();
    if (!r) return false;
    this.ctx.putImageData(this.image, 0, 0, r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0);
    return true;
  }
}

/** The CXR after window/level, on its own native-resolution canvas. */
export class GraySurface {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly image: ImageData;

  constructor(
    readonly gray: Uint8Array,
    readonly width: number,
    readonly height: number,
  ) {
    this.canvas = document.createElement("canvas");
    this.canvas.width = width;
    this.canvas.height = height;
    this.ctx = this.canvas.getContext("2d")!;
    this.image = this.ctx.createImageData(width, height);
  }

  render(apply: (gray: Uint8Array, rgba: Uint8ClampedArray) => void) {
    apply(this.gray, this.image.data);
    this.ctx.putImageData(this.image, 0, 0);
  }
}
