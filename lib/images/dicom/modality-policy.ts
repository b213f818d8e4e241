import "../../zod-browser";
import { z } from "zod";
import { AppError } from "../../errors/app-error";
import type { ImageFlag } from "../types";
import type { DicomDataset } from "./dcmjs";
import { stringValue, tags } from "./dataset-values";

/** Which DICOM modalities a project takes as they are, and what happens to the others. */
export const modalityPolicySchema = z.object({
  accepted: z
    .array(
      z
        .string()
        .trim()
        .toUpperCase()
        .pipe(z.string().regex(/^[A-Z0-9_]{1,16}$/, "a modality is a DICOM code such as CR or DX")),
    )
    .min(1)
    .default(["CR", "DX"]),
  otherwise: z.enum(["REFUSE", "FLAG"]).default("REFUSE"),
});
export type ModalityPolicy = z.output<typeof modalityPolicySchema>;
export const DEFAULT_MODALITY_POLICY: ModalityPolicy = { accepted: ["CR", "DX"], otherwise: "REFUSE" };

/**
 * Checks Modality (0008,0060) against the policy before any pixel is decoded: refuses the file
 * (UNSUPPORTED, naming the modality and the accepted ones) or returns the flag it is imported with.
 */
export function checkModality(ds: DicomDataset, policy: ModalityPolicy | undefined): ImageFlag | undefined {
  if (!policy) return undefined;
  const modality = stringValue(ds, tags.Modality)?.toUpperCase();
  if (modality && policy.accepted.includes(modality)) return undefined;
  if (policy.otherwise === "FLAG") return "modality-not-accepted";
  const what = modality ? `modality ${modality}` : "no Modality (0008,0060)";
  throw new AppError("UNSUPPORTED", `The file has ${what}; this project accepts ${policy.accepted.join(", ")}`);
}
