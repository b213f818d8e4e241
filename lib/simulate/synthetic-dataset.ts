// A reproducible synthetic cohort: images grouped into patients, labelled covid/control, drawn from a few
// fake sources with their own exposure/contrast/noise habits (for stratification tests).
import type { AcquisitionBias } from "./cxr-geometry";
import { createRng, hashSeed, type Rng } from "./prng";
import { generateCxr, type CxrLabel, type SyntheticCxr } from "./synthetic-cxr";

export interface DatasetSource {
  name: string;
  weight: number;
  bias: AcquisitionBias;
}

export const SYNTHETIC_SOURCES: readonly DatasetSource[] = [
  { name: "sim-hospital-a", weight: 0.5, bias: { exposure: 0, contrast: 1, noise: 1 } },
  { name: "sim-hospital-b", weight: 0.3, bias: { exposure: 0.08, contrast: 0.85, noise: 1.6 } },
  { name: "sim-public-c", weight: 0.2, bias: { exposure: -0.06, contrast: 1.15, noise: 0.7 } },
];

export interface DatasetItem {
  id: string;
  patientId: string;
  label: CxrLabel;
  source: string;
  /** Seed of this image for generateCxr. */
  seed: number;
  width: number;
  height?: number;
}

export interface GenerateDatasetOptions {
  seed: number;
  count: number;
  /** Share of covid images (rounded to a whole number of images); default 0.3. */
  covidFraction?: number;
  /** Number of patients; default ~75% of count. Each label present gets at least one patient. */
  patients?: number;
  width?: number;
  height?: number;
  sources?: readonly DatasetSource[];
  /** Prefix of image and patient ids; defaults to one derived from the seed. */
  idPrefix?: string;
}

interface Patient {
  id: string;
  label: CxrLabel;
  source: string;
}

function spread(rng: Rng, patients: Patient[], images: number): Patient[] {
  if (images === 0) return [];
  const out = patients.slice(0, images);
  while (out.length < images) out.push(rng.pick(patients));
  return out;
}

export function generateDataset(opts: GenerateDatasetOptions): DatasetItem[] {
  const { seed, count } = opts;
  if (!Number.isInteger(count) || count < 0) throw new Error(`count must be a non-negative integer, got ${count}`);
  const covidFraction = opts.covidFraction ?? 0.3;
  if (!(covidFraction >= 0 && covidFraction <= 1))
    throw new Error(`covidFraction must be in [0, 1], got ${covidFraction}`);
  const sources = opts.sources ?? SYNTHETIC_SOURCES;
  if (sources.length === 0) throw new Error("at least one source is needed");
  const prefix = opts.idPrefix ?? `s${(seed >>> 0).toString(36)}`;
  const rng = createRng(hashSeed("dataset", seed));

  const nCovid = Math.round(count * covidFraction);
  const nControl = count - nCovid;
  const wanted = Math.max(1, Math.min(count, opts.patients ?? Math.round(count * 0.75)));
  let pCovid = nCovid && Math.min(nCovid, Math.max(1, Math.round((wanted * nCovid) / count)));
  const pControl = nControl && Math.min(nControl, Math.max(1, wanted - pCovid));
  if (pCovid + pControl > wanted && pCovid > 1) pCovid--;

  const labels: CxrLabel[] = [...Array<CxrLabel>(pCovid).fill("covid"), ...Array<CxrLabel>(pControl).fill("control")];
  rng.shuffle(labels);
  const weights = sources.map((s) => s.weight);
  const patients: Patient[] = labels.map((label, k) => ({
    id: `${prefix}-P${String(k + 1).padStart(5, "0")}`,
    label,
    source: rng.weighted(sources, weights).name,
  }));

  const owners = [
    ...spread(
      rng,
      patients.filter((p) => p.label === "covid"),
      nCovid,
    ),
    ...spread(
      rng,
      patients.filter((p) => p.label === "control"),
      nControl,
    ),
  ];
  rng.shuffle(owners);
  return owners.map((p, k) => ({
    id: `${prefix}-${String(k + 1).padStart(6, "0")}`,
    patientId: p.id,
    label: p.label,
    source: p.source,
    seed: hashSeed("item", seed, k),
    width: opts.width ?? 512,
    ...(opts.height === undefined ? {} : { height: opts.height }),
  }));
}

export function renderDatasetItem(
  item: DatasetItem,
  sources: readonly DatasetSource[] = SYNTHETIC_SOURCES,
): SyntheticCxr {
  const source = sources.find((s) => s.name === item.source);
  return generateCxr({
    seed: item.seed,
    width: item.width,
    height: item.height,
    label: item.label,
    patientId: item.patientId,
    bias: source?.bias,
  });
}
