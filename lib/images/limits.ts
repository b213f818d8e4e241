import { AppError } from "../errors/app-error";
import type { DecodeOptions } from "./types";

export const DEFAULT_MAX_PIXELS = 50_000_000;
export const DEFAULT_MAX_BYTES = 200 * 1024 * 1024;
export const DEFAULT_TIMEOUT_SECONDS = 60;
const MIN_KEY_LENGTH = 16;

export interface Limits {
  maxPixels: number;
  maxBytes: number;
  timeoutSeconds: number;
}

function positiveInt(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) throw new AppError("CONFIG", `${name} must be a positive integer`);
  return value;
}

export function resolveLimits(opts: DecodeOptions): Limits {
  if (typeof opts.pseudonymKey !== "string" || opts.pseudonymKey.length < MIN_KEY_LENGTH) {
    throw new AppError("CONFIG", `pseudonymKey must be at least ${MIN_KEY_LENGTH} characters`);
  }
  return {
    maxPixels: positiveInt(opts.maxPixels, DEFAULT_MAX_PIXELS, "maxPixels"),
    maxBytes: positiveInt(opts.maxBytes, DEFAULT_MAX_BYTES, "maxBytes"),
    timeoutSeconds: positiveInt(opts.timeoutSeconds, DEFAULT_TIMEOUT_SECONDS, "timeoutSeconds"),
  };
}

/** Rejects before any pixel buffer is allocated. */
export function assertPixelBudget(kind: string, width: number, height: number, maxPixels: number): void {
  if (!(width > 0 && height > 0)) {
    throw new AppError("BAD_REQUEST", `${kind} declares an empty image (${width}×${height})`);
  }
  const pixels = width * height;
  if (pixels > maxPixels) {
    throw new AppError(
      "TOO_LARGE",
      `${kind} declares ${width}×${height} = ${pixels} pixels; the limit is ${maxPixels}`,
    );
  }
}
