import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { generateCxr } from "../../lib/simulate/synthetic-cxr";
import { encodePng } from "../../lib/simulate/png";
import { sealTruth, type SealedTruth } from "../../lib/simulate/truth";

export type SimImage = {
  name: string;
  png: Buffer;
  /** The true infection mask, sealed: only the reading model, model stubs and the report open it. */
  truth: SealedTruth;
  /** Grey pixels at the image's size (what a reader looks at). */
  pixels: Uint8Array;
  width: number;
  height: number;
  label: "COVID" | "CONTROL";
  patient: string;
  source: string;
};

const sources = ["hospital-a", "hospital-b", "public-c"];

/**
 * Synthetic CXRs. `infectionBoost` brightens infected pixels by that many grey levels: an
 * easier task on which small CPU models become competent quickly (tests and quick demos).
 */
export async function syntheticImages(o: {
  count: number;
  covidFraction: number;
  width: number;
  seed: number;
  infectionBoost?: number;
}): Promise<SimImage[]> {
  const out: SimImage[] = [];
  const covid = Math.round(o.count * o.covidFraction);
  for (let i = 0; i < o.count; i++) {
    const label = i < covid ? "covid" : "control";
    const patient = `sim-${o.seed}-${Math.floor(i / 2)}`;
    const cxr = generateCxr({ seed: o.seed * 1_000_003 + i, width: o.width, label, patientId: patient });
    const truth = new Uint8Array(cxr.mask.length);
    for (let p = 0; p < truth.length; p++) {
      truth[p] = cxr.mask[p] ? 1 : 0;
      if (truth[p] && o.infectionBoost) cxr.pixels[p] = Math.min(255, cxr.pixels[p] + o.infectionBoost);
    }
    out.push({
      name: `synthetic-${i}`,
      png: await encodePng(cxr.pixels, cxr.width, cxr.height),
      truth: sealTruth(truth, cxr.width, cxr.height),
      pixels: Uint8Array.from(cxr.pixels),
      width: cxr.width,
      height: cxr.height,
      label: label === "covid" ? "COVID" : "CONTROL",
      patient,
      source: sources[i % sources.length],
    });
  }
  return out;
}

function readManifest(dir: string): Map<string, Record<string, string>> {
  const file = path.join(dir, "manifest.csv");
  const rows = new Map<string, Record<string, string>>();
  if (!existsSync(file)) return rows;
  const [head, ...lines] = readFileSync(file, "utf8").trim().split(/\r?\n/);
  const cols = head.split(",");
  for (const line of lines) {
    const cells = line.split(",");
    const r = Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? ""]));
    rows.set(r.id, r);
  }
  return rows;
}

/**
 * A folder of real pairs: images/<stem>.png and masks/<stem>.png (255 = infected), with an
 * optional manifest.csv (id, class). An empty mask without a manifest counts as a control.
 */
export async function folderImages(dir: string, limit?: number): Promise<SimImage[]> {
  const imgDir = path.join(dir, "images");
  const maskDir = path.join(dir, "masks");
  if (!existsSync(imgDir) || !existsSync(maskDir)) throw new Error(`${dir} needs images/ and masks/ folders`);
  const manifest = readManifest(dir);
  const stems = readdirSync(imgDir)
    .filter((f) => /\.(png|jpe?g)$/i.test(f))
    .sort()
    .slice(0, limit ?? Infinity);
  const maskFiles = readdirSync(maskDir);
  const out: SimImage[] = [];
  for (const f of stems) {
    const stem = f.replace(/\.[^.]+$/, "");
    const maskFile = maskFiles.find((m) => m.replace(/\.[^.]+$/, "") === stem);
    if (!maskFile) throw new Error(`no mask for ${f} in ${maskDir}`);
    const png = readFileSync(path.join(imgDir, f));
    const meta = await sharp(png).metadata();
    const m = await sharp(readFileSync(path.join(maskDir, maskFile)))
      .grayscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (m.info.width !== meta.width || m.info.height !== meta.height)
      throw new Error(`mask ${maskFile} is ${m.info.width}×${m.info.height}, image is ${meta.width}×${meta.height}`);
    const truth = new Uint8Array(m.info.width * m.info.height);
    for (let p = 0; p < truth.length; p++) truth[p] = m.data[p * m.info.channels] > 127 ? 1 : 0;
    const grey = await sharp(png).grayscale().raw().toBuffer({ resolveWithObject: true });
    if (grey.info.width !== m.info.width || grey.info.height !== m.info.height)
      throw new Error(
        `image ${f} decodes to ${grey.info.width}×${grey.info.height}, its mask is ${m.info.width}×${m.info.height}`,
      );
    const pixels = new Uint8Array(truth.length);
    for (let p = 0; p < pixels.length; p++) pixels[p] = grey.data[p * grey.info.channels];
    const cls = manifest.get(stem)?.class;
    // "Non-COVID" names a class too: only a class that starts with COVID is positive.
    const positive = cls ? /^covid/i.test(cls.trim()) : truth.some((v) => v);
    out.push({
      name: stem,
      png,
      truth: sealTruth(truth, m.info.width, m.info.height),
      pixels,
      width: m.info.width,
      height: m.info.height,
      label: positive ? "COVID" : "CONTROL",
      patient: stem,
      source: manifest.get(stem)?.source_split ?? "folder",
    });
  }
  return out;
}
