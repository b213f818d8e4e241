/** Caps on what one archive may expand to; every one is checked while streaming. */
export interface ArchiveLimits {
  /** Entries (files, folders, anything) after which reading stops. */
  maxEntries: number;
  /** Largest single entry, declared or actual. */
  maxEntryBytes: number;
  /** Sum of all entries' uncompressed bytes. */
  maxTotalBytes: number;
  /** Largest uncompressed ÷ compressed ratio, per entry and for the whole archive. */
  maxRatio: number;
  /** Output below which an entry's ratio is not judged (tiny files compress absurdly well). */
  ratioFloorBytes: number;
}

// Deflate cannot exceed ~1032:1; real PNG/JPEG barely compress and uncompressed DICOM rarely
// beats 10:1, so 100:1 past the first MiB only stops bombs.
export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 100_000,
  maxEntryBytes: 200 * 1024 * 1024,
  maxTotalBytes: 1024 ** 4,
  maxRatio: 100,
  ratioFloorBytes: 1024 * 1024,
};

/** An upload from the browser may expand to at most this many times its own size. */
export const WEB_ARCHIVE_EXPANSION = 20;

export const DEFAULT_CONCURRENCY = 2;
