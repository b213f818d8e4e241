import { canonicalizeMaskPng } from "../masks/png-codec";
import { store } from "../storage/store";
import type { Actor } from "../auth/types";
import { ballotCandidateKey } from "./queries";

/**
 * The PNG of one position of a voter's own open ballot. Every candidate, manual or machine, is
 * re-encoded the same way: nothing in the bytes tells where it came from (the route serves it
 * with the same headers whatever its source).
 */
export async function blindedCandidatePng(actor: Actor, ballotId: string, position: number): Promise<Buffer> {
  const storageKey = await ballotCandidateKey(actor, ballotId, position);
  return canonicalizeMaskPng(await store().get(storageKey));
}
