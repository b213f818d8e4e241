import { decodeMaskPng } from "../masks/png-codec";
import { store } from "../storage/store";
import type { Actor } from "../auth/types";
import { ballotCandidateKey } from "./queries";
import { fixedSizeMaskPng } from "./render";

/**
 * The PNG of one position of a voter's own open ballot. Every candidate, manual or machine, is
 * re-encoded the same way, as a PNG whose byte size depends only on the image's size: nothing in
 * the bytes tells where it came from (the route serves it with the same headers whatever its source).
 */
export async function blindedCandidatePng(actor: Actor, ballotId: string, position: number): Promise<Buffer> {
  const storageKey = await ballotCandidateKey(actor, ballotId, position);
  const m = await decodeMaskPng(await store().get(storageKey));
  return fixedSizeMaskPng(m.mask, m.width, m.height);
}
