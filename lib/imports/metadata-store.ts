import { key } from "../storage/keys";
import { store } from "../storage/store";
import type { ParsedMetadata } from "./types";

// Parsed metadata (pseudonyms, labels, tags: never raw ids or dropped columns) is written once
// when an import is created and read by every upload into it, so a few are kept in memory.
const cache = new Map<string, ParsedMetadata>();
const CACHE_SIZE = 4;

const metadataKey = (projectId: string, batchId: string) =>
  key("projects", projectId, "imports", batchId, "metadata.json");

export async function saveBatchMetadata(projectId: string, batchId: string, meta: ParsedMetadata): Promise<void> {
  await store().put(metadataKey(projectId, batchId), Buffer.from(JSON.stringify(meta)), {
    contentType: "application/json",
  });
}

export async function loadBatchMetadata(projectId: string, batchId: string): Promise<ParsedMetadata> {
  const hit = cache.get(batchId);
  if (hit) return hit;
  const meta = JSON.parse((await store().get(metadataKey(projectId, batchId))).toString("utf8")) as ParsedMetadata;
  cache.set(batchId, meta);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return meta;
}

export async function deleteBatchMetadata(projectId: string, batchId: string): Promise<void> {
  cache.delete(batchId);
  await store()
    .delete(metadataKey(projectId, batchId))
    .catch(() => undefined);
}
