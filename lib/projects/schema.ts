import { z } from "zod";
import { deidOptionsSchema, NO_DEID_OPTIONS, type DeidOptions } from "../images/dicom/deid-options";
import { modalityPolicySchema, DEFAULT_MODALITY_POLICY } from "../images/dicom/modality-policy";
import { archs, encoders } from "../ml/networks";
import { InferencePrecision, OwnDrawingPolicy, SelectionMode, TieBreak } from "./enums";
import { trainingPresetNames } from "../ml/presets";

export { archs, encoders };

export const networkSchema = z.object({ arch: z.enum(archs), encoder: z.enum(encoders) });

export const trainConfigSchema = z.object({
  /** A training preset (workers/trainer/presets.json): fills every trainer setting not given here. */
  preset: z.enum(trainingPresetNames).nullable().default(null),
  /** Optimizer-step budget; without it the run lasts `epochs`. */
  steps: z.number().int().min(1).max(1_000_000).optional(),
  size: z.number().int().min(32).max(1024).default(224),
  epochs: z.number().int().min(1).max(500).default(50),
  batchSize: z.number().int().min(1).max(256).default(32),
  lr: z.number().positive().max(1).default(1e-4),
  freezeEncoder: z.boolean().default(false),
  pretrained: z.string().nullable().default(null),
  width: z.number().int().positive().optional(),
  /** The focal term's weight on infected pixels (the paper: 0.25; 0.5 weighs both classes alike). */
  focalAlpha: z.number().gt(0).max(1).optional(),
  /** Weight of the presence head's loss beside the mask loss; 0 leaves the head untrained. */
  presenceWeight: z.number().min(0).max(10).optional(),
  /**
   * Average each prediction over the image's four one-pixel shifts as well (five times the
   * inference compute): for small models, as the demo's.
   */
  shiftTta: z.boolean().optional(),
  /** Training images held back to pick the checkpoint and the threshold (0: none; the preset's otherwise). */
  monitorFraction: z.number().min(0).max(0.5).optional(),
});

// The paper's networks: Stage I trains the three decoders on DenseNet-121, Stage II adds two encoders.
const stage1Networks = () => [
  { arch: "unet", encoder: "densenet121" },
  { arch: "unetpp", encoder: "densenet121" },
  { arch: "dla", encoder: "densenet121" },
];
const stage2Networks = () => [
  ...stage1Networks(),
  { arch: "unet", encoder: "resnet50" },
  { arch: "unetpp", encoder: "inception_v3" },
];

export const protocolSettingsSchema = z.object({
  s1Size: z.number().int().positive().nullable().default(null),
  s1Fraction: z.number().gt(0).max(1).nullable().default(null),
  s1Seed: z.number().int().min(0).default(0),
  folds: z.number().int().min(2).max(10).default(5),
  stage1Archs: z.array(networkSchema).min(1).max(8).default(stage1Networks),
  stage2Networks: z.array(networkSchema).min(1).max(10).default(stage2Networks),
  selectionMode: z.enum(SelectionMode).default("NWAY"),
  votesPerImage: z.number().int().min(1).max(9).default(1),
  agreementDice: z.number().min(0.5).max(1).default(0.9),
  tieBreak: z.enum(TieBreak).default("LEAD"),
  redrawNeedsConfirmation: z.boolean().default(false),
  controlsToVote: z.boolean().default(false),
  // Blind by content (PROTOCOL.md): what happens when only the author could vote on an image,
  // the Dice above which candidates share a position, the smallest candidate shown on a
  // COVID-19 image (fraction of its pixels), the models' quality gate, style normalisation.
  ownDrawingPolicy: z.enum(OwnDrawingPolicy).default("ALLOW_RECORDED"),
  mergeDice: z.number().min(0.5).max(1).default(0.98),
  minCandidateArea: z.number().min(0).max(0.5).default(0.0005),
  qualityGateF1: z.number().min(0).max(1).default(0.3),
  styleNormalise: z.boolean().default(true),
  inferencePrecision: z.enum(InferencePrecision).default("FLOAT32"),
  trainConfig: trainConfigSchema.default(trainConfigSchema.parse({})),
});

/** What ingest does with DICOM: accepted modalities and the PS3.15 Table E.1-1 options. */
export const ingestSettingsSchema = z.object({
  modalities: modalityPolicySchema.default(DEFAULT_MODALITY_POLICY),
  deid: deidOptionsSchema.default(NO_DEID_OPTIONS),
});
export type IngestSettings = z.output<typeof ingestSettingsSchema>;

/** Project columns ↔ ingest settings (the one place that knows the column names). */
export function ingestColumns(s: IngestSettings) {
  return {
    acceptedModalities: s.modalities.accepted,
    otherModalities: s.modalities.otherwise,
    deidCleanDescriptors: s.deid.cleanDescriptors,
    deidRetainDeviceIdentity: s.deid.retainDeviceIdentity,
    deidRetainInstitutionIdentity: s.deid.retainInstitutionIdentity,
    deidRetainLongitudinalFullDates: s.deid.retainLongitudinalFullDates,
    deidRetainLongitudinalModifiedDates: s.deid.retainLongitudinalModifiedDates,
    deidRetainPatientCharacteristics: s.deid.retainPatientCharacteristics,
    deidRetainUids: s.deid.retainUids,
  };
}

/** The Project columns that hold the ingest settings, as a select. */
export const ingestColumnSelect = Object.fromEntries(
  Object.keys(ingestColumns({ modalities: DEFAULT_MODALITY_POLICY, deid: NO_DEID_OPTIONS })).map((k) => [k, true]),
) as { [K in keyof ReturnType<typeof ingestColumns>]: true };

export function ingestFromColumns(p: ReturnType<typeof ingestColumns>): IngestSettings {
  const deid: DeidOptions = {
    cleanDescriptors: p.deidCleanDescriptors,
    retainDeviceIdentity: p.deidRetainDeviceIdentity,
    retainInstitutionIdentity: p.deidRetainInstitutionIdentity,
    retainLongitudinalFullDates: p.deidRetainLongitudinalFullDates,
    retainLongitudinalModifiedDates: p.deidRetainLongitudinalModifiedDates,
    retainPatientCharacteristics: p.deidRetainPatientCharacteristics,
    retainUids: p.deidRetainUids,
  };
  return { modalities: { accepted: p.acceptedModalities, otherwise: p.otherModalities }, deid };
}

export const slugSchema = z
  .string()
  .min(2)
  .max(48)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "use lower-case letters, digits and dashes");

export const createProjectSchema = z.object({
  name: z.string().trim().min(2).max(120),
  slug: slugSchema,
  description: z.string().max(2000).default(""),
  settings: protocolSettingsSchema.default(protocolSettingsSchema.parse({})),
  ingest: ingestSettingsSchema.default({ modalities: DEFAULT_MODALITY_POLICY, deid: NO_DEID_OPTIONS }),
});
export type CreateProjectInput = z.input<typeof createProjectSchema>;
export type IngestSettingsInput = z.input<typeof ingestSettingsSchema>;

export const precisionSchema = z.object({ precision: z.enum(InferencePrecision) });

export const addMemberSchema = z.object({
  email: z.string().email(),
  roles: z.array(z.enum(["LEAD", "MD", "EXPORTER"])).min(1),
});
