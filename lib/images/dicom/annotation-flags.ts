import type { ImageFlag } from "../types";
import type { DicomDataset } from "./dcmjs";
import { stringValue, tags } from "./dataset-values";

const SECONDARY_CAPTURE_CLASS_PREFIX = "1.2.840.10008.5.1.4.1.1.7";

/**
 * Hints that text may be burned into the pixels, which de-identification of the header cannot
 * remove: the explicit Burned In Annotation flag, or a secondary capture (screenshots, scanned
 * films), which typically carries the patient's name on the image.
 */
export function annotationFlags(ds: DicomDataset): ImageFlag[] {
  const flags: ImageFlag[] = [];
  const burnedIn = stringValue(ds, tags.BurnedInAnnotation)?.toUpperCase() === "YES";
  const sopClass = stringValue(ds, tags.SOPClassUID) ?? "";
  const modality = stringValue(ds, tags.Modality)?.toUpperCase();
  const secondaryCapture =
    sopClass === SECONDARY_CAPTURE_CLASS_PREFIX ||
    sopClass.startsWith(`${SECONDARY_CAPTURE_CLASS_PREFIX}.`) ||
    stringValue(ds, tags.ConversionType) !== undefined ||
    modality === "OT" ||
    modality === "SC";
  if (burnedIn || secondaryCapture) flags.push("burned-in-annotation");
  if (stringValue(ds, tags.RecognizableVisualFeatures)?.toUpperCase() === "YES")
    flags.push("recognizable-visual-features");
  return flags;
}
