export type ByteRange = { start: number; end: number };

/**
 * One byte range of a `size`-byte object from a Range header (RFC 9110 §14). null: send the
 * whole object (no header, another unit, several ranges, or a malformed header, which the RFC
 * says to ignore); "unsatisfiable": answer 416.
 */
export function parseRange(header: string | null, size: number): ByteRange | null | "unsatisfiable" {
  const h = header?.trim();
  if (!h || !h.startsWith("bytes=") || h.includes(",")) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(h);
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size) return "unsatisfiable";
  if (end < start) return null;
  return { start, end };
}
