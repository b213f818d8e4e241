import { logger } from "../log/logger";
import { referencedKeys } from "./queries";
import { store } from "./store";
import type { ObjectStore, StoredObject } from "./types";

// Objects are written before the row that points at them, so a crash (or a failed
// transaction) in between leaves an object nothing references. This finds and deletes them:
// only objects older than the grace period (a write in progress has its row within seconds)
// and unreferenced by any row. Running it twice deletes nothing the second time.

export type SweepResult = { scanned: number; deleted: number; deletedKeys: string[] };

const BATCH = 500;

export async function sweepOrphanObjects(opts: {
  graceMs: number;
  prefix?: string;
  now?: Date;
  objects?: ObjectStore;
}): Promise<SweepResult> {
  const s = opts.objects ?? store();
  const cutoff = (opts.now ?? new Date()).getTime() - opts.graceMs;
  const result: SweepResult = { scanned: 0, deleted: 0, deletedKeys: [] };
  let batch: StoredObject[] = [];
  const flush = async () => {
    const keys = batch.filter((o) => !o.temporary).map((o) => o.key);
    const refs = await referencedKeys(keys);
    for (const o of batch) {
      if (!o.temporary && refs.has(o.key)) continue;
      await s.delete(o.key);
      result.deleted++;
      if (result.deletedKeys.length < 100) result.deletedKeys.push(o.key);
    }
    batch = [];
  };
  const prefix = opts.prefix ?? "projects/";
  if (!prefix.startsWith("projects/")) throw new Error("the orphan sweep only looks under projects/");
  for await (const o of s.listDetailed(prefix)) {
    result.scanned++;
    if (o.modifiedAt.getTime() > cutoff) continue;
    batch.push(o);
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length) await flush();
  if (result.deleted) logger.info("storage.orphans_swept", { deleted: result.deleted, scanned: result.scanned });
  return result;
}
