/** The paper's operating point: a pixel is infected when its probability is at least 0.5. */
export const DEFAULT_THRESHOLD = 0.5;

/** 0/1 mask: 1 where prob ≥ threshold. */
export function binarize(prob: ArrayLike<number>, threshold = DEFAULT_THRESHOLD): Uint8Array {
  const out = new Uint8Array(prob.length);
  for (let i = 0; i < prob.length; i++) out[i] = prob[i] >= threshold ? 1 : 0;
  return out;
}
