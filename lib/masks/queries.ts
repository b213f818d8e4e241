import "server-only";
import { store } from "../storage/store";
import { decodeMaskPng } from "./png-codec";

/** Loads a stored mask as 0/1 pixels. */
export async function loadMask(storageKey: string) {
  return decodeMaskPng(await store().get(storageKey));
}
