import "server-only";
import { db } from "../db/client";

// Which stored objects a row still points at. Every key Tandem writes names its owner's id
// (lib/storage/keys.ts callers), so each key is checked against its owner row by primary key.

const uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const shapes = {
  image: new RegExp(`^projects/${uuid}/images/(${uuid})/[^/]+$`),
  mask: new RegExp(`^projects/${uuid}/masks/(${uuid})\\.png$`),
  prob: new RegExp(`^projects/${uuid}/runs/(${uuid})/prob/(${uuid})\\.png$`),
  runFile: new RegExp(`^projects/${uuid}/runs/(${uuid})/(model\\.onnx|metrics\\.json)$`),
  draft: new RegExp(`^projects/${uuid}/drafts/(${uuid})/[^/]+$`),
  export: new RegExp(`^projects/${uuid}/exports/(${uuid})/[^/]+$`),
  importMeta: new RegExp(`^projects/${uuid}/imports/(${uuid})/metadata\\.json$`),
};

/** Whether Tandem knows what owns this key; keys of unknown shape are never swept. */
export function isOwnedKeyShape(key: string): boolean {
  return Object.values(shapes).some((r) => r.test(key));
}

const ids = (keys: string[], r: RegExp, group = 1) => [
  ...new Set(keys.map((k) => r.exec(k)?.[group]).filter((x): x is string => !!x)),
];

/** The subset of `keys` that some row references (or that is of a shape Tandem does not own). */
export async function referencedKeys(keys: string[]): Promise<Set<string>> {
  const refs = new Set<string>(keys.filter((k) => !isOwnedKeyShape(k)));
  const add = (...ks: (string | null | undefined)[]) => ks.forEach((k) => k && refs.add(k));
  const [images, masks, probs, runs, drafts, exports, batches] = await Promise.all([
    db().image.findMany({
      where: { id: { in: ids(keys, shapes.image) } },
      select: { storageKey: true, originalKey: true, thumbKey: true },
    }),
    db().mask.findMany({ where: { id: { in: ids(keys, shapes.mask) } }, select: { storageKey: true } }),
    db().mask.findMany({
      where: { modelRunId: { in: ids(keys, shapes.prob) }, probKey: { in: keys.filter((k) => shapes.prob.test(k)) } },
      select: { probKey: true },
    }),
    db().modelRun.findMany({
      where: { id: { in: ids(keys, shapes.runFile) } },
      select: { id: true, artifactKey: true },
    }),
    db().draft.findMany({ where: { taskId: { in: ids(keys, shapes.draft) } }, select: { storageKey: true } }),
    db().export.findMany({ where: { id: { in: ids(keys, shapes.export) } }, select: { storageKey: true } }),
    db().importBatch.findMany({
      where: { id: { in: ids(keys, shapes.importMeta) }, status: { in: ["QUEUED", "RUNNING"] } },
      select: { id: true },
    }),
  ]);
  for (const i of images) add(i.storageKey, i.originalKey, i.thumbKey);
  for (const m of masks) add(m.storageKey);
  for (const m of probs) add(m.probKey);
  for (const d of drafts) add(d.storageKey);
  for (const e of exports) add(e.storageKey);
  const liveRuns = new Set(runs.map((r) => r.id));
  const liveBatches = new Set(batches.map((b) => b.id));
  for (const k of keys) {
    const run = shapes.runFile.exec(k);
    // A run's metrics belong to it while it exists; its model only once the row points at it.
    if (run && liveRuns.has(run[1]) && (run[2] === "metrics.json" || runs.some((r) => r.artifactKey === k)))
      refs.add(k);
    const meta = shapes.importMeta.exec(k);
    if (meta && liveBatches.has(meta[1])) refs.add(k);
  }
  return refs;
}
