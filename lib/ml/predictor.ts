/** Anything that turns size×size 8-bit images into probability maps (a session, in or off thread). */
export type Predictor = { size: number; predict(images: Uint8Array[]): Promise<Float32Array[]> };
