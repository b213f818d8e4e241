import "../../zod-browser";
import { z } from "zod";

/**
 * The options of PS3.15 Table E.1-1 a project may enable, each with its code from CID 7050
 * (recorded in Deidentification Method Code Sequence) and the option-column letter it reads in
 * basic-profile.ts. All off by default: the Basic Profile alone. Clean Graphics, Clean
 * Structured Content and Retain Safe Private are not offered: Tandem removes what they would
 * keep (curves, overlays, graphic annotations, structured content, every private attribute).
 */
export const deidOptionList = [
  {
    key: "retainLongitudinalFullDates",
    code: "113106",
    meaning: "Retain Longitudinal Temporal Information Full Dates Option",
    label: "Retain dates and times as they are",
  },
  {
    key: "retainLongitudinalModifiedDates",
    code: "113107",
    meaning: "Retain Longitudinal Temporal Information Modified Dates Option",
    label: "Retain dates, shifted by a per-patient offset",
  },
  {
    key: "retainPatientCharacteristics",
    code: "113108",
    meaning: "Retain Patient Characteristics Option",
    label: "Retain patient characteristics (sex, age, size, weight…)",
  },
  {
    key: "retainDeviceIdentity",
    code: "113109",
    meaning: "Retain Device Identity Option",
    label: "Retain device identity (station, serial numbers)",
  },
  { key: "retainUids", code: "113110", meaning: "Retain UIDs Option", label: "Retain original UIDs" },
  {
    key: "retainInstitutionIdentity",
    code: "113112",
    meaning: "Retain Institution Identity Option",
    label: "Retain institution identity",
  },
  {
    key: "cleanDescriptors",
    code: "113105",
    meaning: "Clean Descriptors Option",
    label: "Keep cleaned descriptions (only known non-identifying words)",
  },
] as const;

export type DeidOptionKey = (typeof deidOptionList)[number]["key"];
export type DeidOptions = Record<DeidOptionKey, boolean>;

export const BASIC_PROFILE_CODE = { code: "113100", meaning: "Basic Application Confidentiality Profile" } as const;

export const deidOptionsSchema = z
  .object(
    Object.fromEntries(deidOptionList.map((o) => [o.key, z.boolean().default(false)])) as Record<
      DeidOptionKey,
      z.ZodDefault<z.ZodBoolean>
    >,
  )
  .refine((o) => !(o.retainLongitudinalFullDates && o.retainLongitudinalModifiedDates), {
    message: "Choose either full dates or modified dates, not both",
    path: ["retainLongitudinalModifiedDates"],
  });

export const NO_DEID_OPTIONS: DeidOptions = deidOptionsSchema.parse({});

/** The enabled options, in list order. */
export const enabledDeidOptions = (o: Partial<DeidOptions> | undefined) =>
  deidOptionList.filter((d) => o?.[d.key] === true);
