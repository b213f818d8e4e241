import sharp from "sharp";
import { resizeMaskNearest } from "../masks/resize";
import { camMap, mapAgreement, occlusionMap } from "./activation-maps";
import { classifyBatch, type ClassifierModel } from "./classifier-model";
import { alignToDisplay, infectionMapView, type Raster } from "./infection-map-view";
import { pilResizeBilinear } from "./pil-resize";

export type MapAgreement = ReturnType<typeof mapAgreement>;
export type ExampleMaps = {
  prob: number;
  /** The CXR at the maps' display size (the maps are transparent where they are 0). */
  cxrPng: Buffer;
  camPng: Buffer;
  occlusionPng: Buffer;
  /** Against the accepted mask (null without a non-empty one). */
  cam: MapAgreement;
  occlusion: MapAgreement;
};

/** A stored CXR PNG as 8-bit grayscale. */
export async function grayRaster(png: Buffer): Promise<Raster> {
  const { data, info } = await sharp(png).grayscale().raw().toBuffer({ resolveWithObject: true });
  return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/**
 * One image's CAM and occlusion map from the fold model that held it out, drawn like the
 * infection maps, and each map's agreement with the accepted mask at the model's input size.
 */
export async function exampleMaps(
  cxr: Raster,
  model: ClassifierModel,
  mask: { mask: Uint8Array; width: number; height: number } | null,
  maxSide = 256,
): Promise<ExampleMaps> {
  const size = model.size;
  const input = pilResizeBilinear(cxr.pixels, cxr.width, cxr.height, size, size);
  const [c] = await classifyBatch(model, [input]);
  const cam = camMap(c.cam, c.camWidth, c.camHeight, size);
  const occlusion = await occlusionMap(model, input);
  const display = alignToDisplay(cxr, cam, maxSide);
  const cxrPng = await sharp(Buffer.from(display.gray), {
    raw: { width: display.width, height: display.height, channels: 1 },
  })
    .png()
    .toBuffer();
  const small = mask ? resizeMaskNearest(mask.mask, mask.width, mask.height, size, size) : null;
  return {
    prob: c.prob,
    cxrPng,
    camPng: (await infectionMapView(cxr, cam, maxSide)).png,
    occlusionPng: (await infectionMapView(cxr, occlusion, maxSide)).png,
    cam: small ? mapAgreement(cam.prob, small) : null,
    occlusion: small ? mapAgreement(occlusion.prob, small) : null,
  };
}
