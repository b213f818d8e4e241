// Runtime half of the rule "no simulated reader sees the truth": every array that leaves the
// sealed truth is remembered here, and the functions that draw or vote refuse such arrays.
const unsealed = new WeakSet<Uint8Array>();

/** Called only by ./truth when it hands the truth out (to the reading model or the report). */
export function markAsTruth(mask: Uint8Array): Uint8Array {
  unsealed.add(mask);
  return mask;
}

/** Throws when `mask` is (an array handed out as) the ground truth. */
export function assertNotTruth(mask: Uint8Array, where: string): void {
  if (unsealed.has(mask))
    throw new Error(`${where} received the ground truth; simulated readers work from their own reading only`);
}
