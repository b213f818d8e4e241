import { AppError } from "../errors/app-error";

const segment = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";
const safeKey = new RegExp(`^${segment}(?:/${segment})*$`);

/**
 * Validates a storage key: slash-separated segments of safe characters, no `..`, no
 * absolute paths, no backslashes or percent-encoding. Every store calls this first.
 */
export function assertSafeKey(key: string): string {
  if (typeof key !== "string" || key.length === 0 || key.length > 512) {
    throw new AppError("BAD_REQUEST", "Invalid storage key");
  }
  // One pass over the whole key (an export checks two keys per image): the same rule as testing
  // `segment` on each slash-separated part, and ".." cannot span a slash.
  if (!safeKey.test(key) || key.includes("..")) throw new AppError("BAD_REQUEST", "Invalid storage key");
  return key;
}

export function assertSafePrefix(prefix: string): string {
  if (prefix === "") return prefix;
  assertSafeKey(prefix.replace(/\/$/, ""));
  return prefix;
}

/** Builds a key from Tandem-chosen parts (ids and fixed names). */
export function key(...parts: string[]): string {
  return assertSafeKey(parts.join("/"));
}
