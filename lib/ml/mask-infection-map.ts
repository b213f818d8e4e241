import sharp from "sharp";
import { recordAudit } from "../audit/mutations";
import type { Actor } from "../auth/types";
import { store } from "../storage/store";
import { infectionMapView } from "./infection-map-view";
import { decodeProbabilityPng } from "./probability-png";
import { maskForInfectionMap } from "./queries";

/** The infection map of a stored machine prediction, at the CXR's size (or fitted into maxSide). */
export async function maskInfectionMap(actor: Actor, maskId: string, maxSide = 2048) {
  const mask = await maskForInfectionMap(actor, maskId);
  const [probPng, cxrPng] = await Promise.all([store().get(mask.probKey), store().get(mask.image.storageKey)]);
  const map = await decodeProbabilityPng(probPng);
  const { data, info } = await sharp(cxrPng).toColourspace("b-w").raw().toBuffer({ resolveWithObject: true });
  const view = await infectionMapView(
    { pixels: new Uint8Array(data), width: info.width, height: info.height },
    map,
    maxSide,
  );
  await recordAudit({
    action: "image.view",
    objectType: "Image",
    objectId: mask.image.id,
    projectId: mask.projectId,
    actorId: actor.userId,
    after: { infectionMap: maskId },
  });
  return view;
}
