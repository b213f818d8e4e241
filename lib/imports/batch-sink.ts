import type { ImportCounts, ImportEntry } from "./types";

export type BatchWrite = (entries: ImportEntry[], deltas: ImportCounts) => Promise<void>;

const zero = (): ImportCounts => ({ total: 0, imported: 0, duplicates: 0, failed: 0 });

export function countOf(entry: ImportEntry): ImportCounts {
  return {
    total: 1,
    imported: entry.status === "imported" ? 1 : 0,
    duplicates: entry.status === "duplicate" ? 1 : 0,
    failed: entry.status === "failed" ? 1 : 0,
  };
}

const add = (a: ImportCounts, b: ImportCounts): ImportCounts => ({
  total: a.total + b.total,
  imported: a.imported + b.imported,
  duplicates: a.duplicates + b.duplicates,
  failed: a.failed + b.failed,
});

/**
 * Buffers report lines for the batch row. Counters go out at most every `counterMs` (cheap,
 * they drive progress bars); lines go out when the backlog reaches a tenth of what is already
 * written, so the row (rewritten whole by PostgreSQL on every update) costs O(n) in total
 * rather than O(n²) for a 50,000-file import.
 */
export class BatchSink {
  private pending: ImportEntry[] = [];
  private pendingCounts = zero();
  private written = 0;
  private lastWrite = Date.now();
  private chain: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;
  readonly totals = zero();

  constructor(
    private readonly write: BatchWrite,
    private readonly counterMs = 1000,
  ) {}

  add(entry: ImportEntry): void {
    const c = countOf(entry);
    this.pendingCounts = add(this.pendingCounts, c);
    Object.assign(this.totals, add(this.totals, c));
    this.pending.push(entry);
    if (this.pending.length >= Math.max(25, Math.floor(this.written / 10))) this.flush(true);
    else if (Date.now() - this.lastWrite >= this.counterMs) this.flush(false);
  }

  private flush(withEntries: boolean): Promise<void> {
    const entries = withEntries ? this.pending.splice(0) : [];
    const deltas = this.pendingCounts;
    this.pendingCounts = zero();
    this.written += entries.length;
    this.lastWrite = Date.now();
    this.chain = this.chain
      .then(() => (this.failure ? undefined : this.write(entries, deltas)))
      .catch((error) => {
        this.failure ??= { error };
      });
    return this.chain;
  }

  /** Writes whatever is left; rejects if any write failed. */
  async close(): Promise<void> {
    if (this.pending.length || this.pendingCounts.total) this.flush(true);
    await this.chain;
    if (this.failure) throw this.failure.error;
  }
}
