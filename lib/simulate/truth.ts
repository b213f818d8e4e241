// The ground truth of a simulated image, sealed: an opaque token whose mask only unsealTruth()
// reveals. Only the latent-reading model, candidate-model stubs and the report may call it
// (tests/unit/simulate/truth-boundary.test.ts enforces the list).
import { markAsTruth } from "./truth-guard";

declare const sealedBrand: unique symbol;
export type SealedTruth = { readonly [sealedBrand]: true; readonly width: number; readonly height: number };

const store = new WeakMap<object, Uint8Array>();

/** Seals a 0/non-zero mask (copied, stored as 0/1). */
export function sealTruth(mask: ArrayLike<number>, width: number, height: number): SealedTruth {
  if (mask.length !== width * height)
    throw new Error(`truth mask length ${mask.length} does not match ${width}x${height}`);
  const copy = new Uint8Array(mask.length);
  for (let p = 0; p < copy.length; p++) copy[p] = mask[p] ? 1 : 0;
  const token = Object.freeze({ width, height }) as SealedTruth;
  store.set(token, copy);
  return token;
}

/** A fresh copy of the truth, marked so that drawing and voting functions refuse it. */
export function unsealTruth(t: SealedTruth): Uint8Array {
  const m = store.get(t);
  if (!m) throw new Error("not a sealed truth");
  return markAsTruth(m.slice());
}
