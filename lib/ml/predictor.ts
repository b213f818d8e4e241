/** A batch's output: one probability map per image, and the presence head's probability per image
 * (null for a model exported before the head existed). */
export type Prediction = { maps: Float32Array[]; presence: number[] | null };

/** Anything that turns size×size 8-bit images into probability maps (a session, in or off thread). */
export type Predictor = {
  size: number;
  predict(images: Uint8Array[]): Promise<Float32Array[]>;
  /** Maps and presence; a predictor without it has no presence output. */
  predictWithPresence?(images: Uint8Array[]): Promise<Prediction>;
};
