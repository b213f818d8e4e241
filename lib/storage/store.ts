import path from "node:path";
import { LocalStore } from "./local-store";
import { S3Store } from "./s3-store";
import type { ObjectStore } from "./types";

const g = globalThis as unknown as { tandemStore?: ObjectStore };

/** The configured object store: S3 when STORAGE_DRIVER=s3, else a local directory. */
export function store(): ObjectStore {
  if (!g.tandemStore) g.tandemStore = storeFromEnv(process.env);
  return g.tandemStore;
}

export function storeFromEnv(e: Record<string, string | undefined>): ObjectStore {
  if (e.STORAGE_DRIVER === "s3") {
    return new S3Store({
      endpoint: e.S3_ENDPOINT,
      region: e.S3_REGION ?? "us-east-1",
      bucket: e.S3_BUCKET!,
      accessKeyId: e.S3_ACCESS_KEY_ID,
      secretAccessKey: e.S3_SECRET_ACCESS_KEY,
      forcePathStyle: e.S3_FORCE_PATH_STYLE === "1" || e.S3_FORCE_PATH_STYLE === "true",
    });
  }
  const dir = e.STORAGE_DIR ?? path.join(e.TANDEM_DATA_DIR ?? ".tandem", "storage");
  return new LocalStore(dir);
}

export function setStoreForTests(s: ObjectStore | undefined): void {
  g.tandemStore = s;
}
