export { decodeImage } from "./decode-image";
export { hammingDistance, NEAR_DUPLICATE_DISTANCE, perceptualHash } from "./perceptual-hash";
export { exposureFlags, exposureThresholds } from "./exposure";
export { patientPseudonym } from "./pseudonym";
export { DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS } from "./limits";
export { imageFlags } from "./types";
export type { DecodedImage, DecodeOptions, DicomSummary, ImageFlag, ImageFormat } from "./types";
