// A simulated MD's latent reading of one image: what they believe the infected region is.
// Everything a simulated MD draws or votes is derived from this, never from the truth.

export interface Reading {
  readonly kind: "reading";
  readonly reader: string;
  /** The image this reading is of (stable across arms, so seeds pair up). */
  readonly imageKey: string;
  readonly width: number;
  readonly height: number;
  /** 0 / non-zero. */
  readonly mask: Uint8Array;
  /** Whether the reader calls the image positive at all. */
  readonly positive: boolean;
}
