import { createReadStream } from "node:fs";
import { lstat, open, readdir } from "node:fs/promises";
import path from "node:path";
import { isJunkPath } from "./file-names";
import { filesFromStream, type StreamSourceOptions } from "./stream-source";
import { centralDirectoryOfFile } from "./zip-central-directory";
import type { ImportFile } from "./types";

export interface FolderSourceOptions extends StreamSourceOptions {
  /** Absolute paths to leave out (the metadata CSV when it sits inside the folder). */
  exclude?: string[];
}

async function* walk(dir: string, rel: string): AsyncGenerator<{ abs: string; rel: string; link: boolean }> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const abs = path.join(dir, e.name);
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isSymbolicLink()) yield { abs, rel: r, link: true };
    else if (e.isDirectory()) yield* walk(abs, r);
    else if (e.isFile()) yield { abs, rel: r, link: false };
  }
}

/**
 * A folder (walked in name order, links not followed), a ZIP archive or a single image on disk,
 * as files to import. Names are paths relative to the folder.
 */
export async function* filesFromPath(root: string, opts: FolderSourceOptions): AsyncGenerator<ImportFile> {
  const exclude = new Set((opts.exclude ?? []).map((p) => path.resolve(p)));
  const info = await lstat(root);
  if (!info.isDirectory()) {
    yield* filesFromStream(path.basename(root), createReadStream(root), {
      ...opts,
      centralDirectory: () => centralDirectoryOfFile(root),
    });
    return;
  }
  for await (const f of walk(root, "")) {
    if (exclude.has(path.resolve(f.abs)) || isJunkPath(f.rel)) continue;
    if (f.link) yield { name: f.rel, error: "Symbolic links are not followed" };
    else
      yield* filesFromStream(f.rel, createReadStream(f.abs), {
        ...opts,
        centralDirectory: () => centralDirectoryOfFile(f.abs),
      });
  }
}

/** Entry count from a ZIP's end-of-central-directory record (a progress estimate only). */
async function zipEntryCount(file: string): Promise<number | undefined> {
  const fh = await open(file, "r");
  try {
    const { size } = await fh.stat();
    const length = Math.min(size, 65_557);
    const tail = Buffer.alloc(length);
    await fh.read(tail, 0, length, size - length);
    const head = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    if (head.readUInt32LE(0) !== 0x04034b50) return undefined;
    for (let i = length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) return tail.readUInt16LE(i + 10);
    }
    return undefined;
  } finally {
    await fh.close();
  }
}

/** How many files an import of `root` will probably see: archives count their entries. */
export async function estimateFileCount(root: string, exclude: string[] = []): Promise<number> {
  const skip = new Set(exclude.map((p) => path.resolve(p)));
  const count = async (abs: string) => (await zipEntryCount(abs).catch(() => undefined)) ?? 1;
  const info = await lstat(root);
  if (!info.isDirectory()) return count(root);
  let n = 0;
  for await (const f of walk(root, "")) {
    if (skip.has(path.resolve(f.abs)) || isJunkPath(f.rel)) continue;
    n += f.link ? 1 : await count(f.abs);
  }
  return n;
}
