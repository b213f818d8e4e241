import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { copyFile, mkdir, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { imagenetFiles } from "./presets";

// Weight files for the trainer's encoders, kept where the trainer looks for them
// (tandem_trainer/models/pretrained.py): $TANDEM_WEIGHTS_DIR, else torchvision's cache
// $TORCH_HOME/hub/checkpoints. Nothing is downloaded: files are imported, e.g. carried into an
// air-gapped hospital, and verified by SHA-256.

export const MANIFEST = "tandem-weights.json";

export type WeightFile = {
  name: string;
  bytes: number;
  sha256: string;
  /** What the file is: a torchvision ImageNet file (by its name), or what the import recorded. */
  kind: string;
  /** ok: the SHA-256 matches the torchvision name's prefix or the recorded hash. */
  status: "ok" | "mismatch" | "unrecorded";
};

type Manifest = Record<string, { sha256: string; kind: string; importedFrom: string; importedAt: string }>;

export function weightsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TANDEM_WEIGHTS_DIR) return path.resolve(env.TANDEM_WEIGHTS_DIR);
  const torchHome = env.TORCH_HOME ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "torch");
  return path.join(path.resolve(torchHome), "hub", "checkpoints");
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(file)
      .on("data", (c) => hash.update(c))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/** The encoder a torchvision file name belongs to, or null. */
export function torchvisionEncoder(name: string): string | null {
  for (const [encoder, names] of Object.entries(imagenetFiles)) if (names.includes(name)) return encoder;
  return null;
}

const hashPrefix = (name: string) => /-([0-9a-f]{8})\.pth$/.exec(name)?.[1] ?? null;

async function readManifest(dir: string): Promise<Manifest> {
  const file = path.join(dir, MANIFEST);
  return existsSync(file) ? (JSON.parse(await readFile(file, "utf8")) as Manifest) : {};
}

async function describe(dir: string, name: string, manifest: Manifest): Promise<WeightFile> {
  const file = path.join(dir, name);
  const [info, sha256] = await Promise.all([stat(file), sha256File(file)]);
  const encoder = torchvisionEncoder(name);
  if (encoder)
    return {
      name,
      bytes: info.size,
      sha256,
      kind: `${encoder} ImageNet (torchvision)`,
      status: sha256.startsWith(hashPrefix(name)!) ? "ok" : "mismatch",
    };
  const recorded = manifest[name];
  if (recorded)
    return {
      name,
      bytes: info.size,
      sha256,
      kind: recorded.kind,
      status: recorded.sha256 === sha256 ? "ok" : "mismatch",
    };
  return { name, bytes: info.size, sha256, kind: "unknown", status: "unrecorded" };
}

export async function listWeights(dir = weightsDir()): Promise<WeightFile[]> {
  if (!existsSync(dir)) return [];
  const manifest = await readManifest(dir);
  const names = (await readdir(dir)).filter((n) => n !== MANIFEST && !n.startsWith(".")).sort();
  return Promise.all(names.map((n) => describe(dir, n, manifest)));
}

/**
 * Copies a weights file in. A torchvision file must keep its name and match the hash in it;
 * any other file (e.g. CheXNet) is recorded with its SHA-256 and `kind`, and `expectSha256`
 * (when given) must match.
 */
export async function importWeights(
  source: string,
  opts: { dir?: string; name?: string; kind?: string; expectSha256?: string } = {},
): Promise<WeightFile> {
  const dir = opts.dir ?? weightsDir();
  if (!existsSync(source)) throw new Error(`${source}: no such file`);
  const name = opts.name ?? path.basename(source);
  if (!/^[\w.+-]+$/.test(name) || name === MANIFEST)
    throw new Error(`"${name}" is not a usable file name (letters, digits, . _ + -)`);
  const sha256 = await sha256File(source);
  if (opts.expectSha256 && opts.expectSha256.toLowerCase() !== sha256)
    throw new Error(`${source}: SHA-256 is ${sha256}, not the expected ${opts.expectSha256}`);
  const encoder = torchvisionEncoder(name);
  if (encoder && !sha256.startsWith(hashPrefix(name)!))
    throw new Error(
      `${source}: SHA-256 ${sha256.slice(0, 8)}… does not match the torchvision file name ${name} (a damaged or different file)`,
    );
  if (!encoder && /-[0-9a-f]{8}\.pth$/.test(name) && !opts.kind) {
    throw new Error(
      `${name} looks like a torchvision file but is not one the trainer uses (${Object.values(imagenetFiles).flat().join(", ")}); give --kind to import it anyway`,
    );
  }
  await mkdir(dir, { recursive: true });
  const target = path.join(dir, name);
  const temp = `${target}.${process.pid}.tmp`;
  await copyFile(source, temp);
  await rename(temp, target);
  if (!encoder) {
    const manifest = await readManifest(dir);
    manifest[name] = {
      sha256,
      kind: opts.kind ?? "weights file",
      importedFrom: path.resolve(source),
      importedAt: new Date().toISOString(),
    };
    const file = path.join(dir, MANIFEST);
    await writeFile(`${file}.tmp`, JSON.stringify(manifest, null, 2));
    await rename(`${file}.tmp`, file);
  }
  return describe(dir, name, await readManifest(dir));
}
