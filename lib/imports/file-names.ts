const MAX_NAME = 255;

/**
 * The name shown in reports for an uploaded file: forward slashes, no leading "./" or "/",
 * no control characters, at most 255 characters. Names are never used as storage keys.
 */
export function displayName(raw: string): string {
  const cleaned = raw
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .replace(/\\/g, "/")
    .replace(/\/{2,}/g, "/")
    .replace(/^(\.\/|\/)+/, "")
    .trim();
  const name = cleaned || "unnamed";
  return name.length > MAX_NAME ? `…${name.slice(name.length - MAX_NAME + 1)}` : name;
}

/**
 * Why an archive entry's path is refused, or null when it is safe: traversal (`..`), absolute
 * paths (`/x`, `\x`, `C:`), NUL bytes. Refused entries are reported, never extracted.
 */
export function unsafeArchivePath(name: string): string | null {
  if (name.includes("\u0000")) return "its path contains a NUL byte";
  const slashed = name.replace(/\\/g, "/");
  if (slashed.startsWith("/")) return "its path is absolute";
  if (/^[A-Za-z]:/.test(slashed)) return "its path starts with a drive letter";
  if (slashed.split("/").some((part) => part === "..")) return "its path climbs out of the archive (..)";
  return null;
}

const JUNK = [/(^|\/)__MACOSX\//, /(^|\/)\.DS_Store$/, /(^|\/)\._[^/]*$/, /(^|\/)Thumbs\.db$/i, /(^|\/)desktop\.ini$/i];

/** Operating-system litter in folders and archives, skipped without a report line. */
export function isJunkPath(name: string): boolean {
  const slashed = name.replace(/\\/g, "/");
  return JUNK.some((p) => p.test(slashed));
}

export const baseName = (name: string) => name.replace(/\\/g, "/").split("/").pop() ?? name;
const EXTENSION = /\.[A-Za-z0-9]{1,8}$/;
const stem = (name: string) => name.replace(EXTENSION, "");

/**
 * Keys under which a file looks for its metadata row, most specific first: its relative path,
 * its base name, then both without the extension (for CSVs that list ids rather than files).
 * Case-insensitive.
 */
export function fileKeys(name: string): string[] {
  const path = displayName(name).toLowerCase();
  const base = baseName(path);
  return [...new Set([path, base, stem(path), stem(base)].filter((k) => k !== ""))];
}

/**
 * Keys a metadata row is filed under: the cell as a path and its base name. A cell with an
 * extension never matches a file with another one ("a.png" is not "a.jpg"); one without
 * ("covid_1053") matches any extension.
 */
export function rowKeys(cell: string): string[] {
  const path = displayName(cell).toLowerCase();
  return [...new Set([path, baseName(path)].filter((k) => k !== ""))];
}
