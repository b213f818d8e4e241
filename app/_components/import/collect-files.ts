/** A file picked for import with its path relative to what was dropped or chosen. */
export type PickedFile = { file: File; path: string };

function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = [];
    // readEntries returns the listing in batches (about 100 in Chromium) until an empty one.
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) return resolve(all);
        all.push(...batch);
        next();
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, out: PickedFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, path: entry.fullPath.replace(/^\/+/, "") || file.name });
  } else if (entry.isDirectory) {
    for (const child of await readAll((entry as FileSystemDirectoryEntry).createReader())) await walk(child, out);
  }
}

/** Files and whole folders dropped on the page, folders walked recursively. */
export async function filesFromDrop(dt: DataTransfer): Promise<PickedFile[]> {
  // Entries must be taken synchronously, before the drop event's data store is closed.
  const items = [...dt.items].filter((i) => i.kind === "file");
  const entries = items.map((i) => i.webkitGetAsEntry?.() ?? null);
  const loose = items.map((i, k) => (entries[k] ? null : i.getAsFile())).filter((f): f is File => f !== null);
  const out: PickedFile[] = loose.map((file) => ({ file, path: file.name }));
  for (const entry of entries) if (entry) await walk(entry, out);
  return out;
}

/** Files from a file input (a folder input fills webkitRelativePath). */
export function filesFromInput(list: FileList | null): PickedFile[] {
  return [...(list ?? [])].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}
