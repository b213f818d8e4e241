/** A rectangle in the image's own pixels (top-left origin). */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const BURNED_IN_DECISIONS = ["RELEASE", "EXCLUDE", "MASK"] as const;
export type BurnedInDecision = (typeof BURNED_IN_DECISIONS)[number];

/** What the decision leaves on the image: the review state. */
export const reviewStateOf = { RELEASE: "RELEASED", EXCLUDE: "EXCLUDED", MASK: "MASKED" } as const;

export interface PendingImage {
  id: string;
  width: number;
  height: number;
  sourceFormat: "PNG" | "JPEG" | "DICOM";
  label: string;
  flags: string[];
  createdAt: string;
}

export interface BurnedInResult {
  imageId: string;
  review: "RELEASED" | "EXCLUDED" | "MASKED";
  /** Images of the project still waiting for review. */
  pending: number;
  nextImageId: string | null;
}
