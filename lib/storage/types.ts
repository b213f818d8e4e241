import type { Readable } from "node:stream";

export type StoredObject = { key: string; modifiedAt: Date; temporary: boolean };

export type PutOptions = { contentType?: string };

/** Object storage. Keys are chosen by Tandem, never by an uploader (see lib/storage/keys.ts). */
export interface ObjectStore {
  readonly kind: "local" | "s3";
  put(key: string, body: Buffer | Uint8Array, opts?: PutOptions): Promise<void>;
  putStream(key: string, body: Readable, opts?: PutOptions): Promise<void>;
  get(key: string): Promise<Buffer>;
  /**
   * Like get, for a caller reading many small objects in a row (an export): calls made together
   * may be served as one batch, off the main thread. Stores without it are read with get.
   */
  getBatched?(key: string): Promise<Buffer>;
  /** The object's file on local disk, for a reader that reads it itself (an export's archive thread); local stores only. */
  localPath?(key: string): string;
  getStream(key: string): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  size(key: string): Promise<number>;
  delete(key: string): Promise<void>;
  list(prefix: string): AsyncIterable<string>;
  /** Every object under the prefix with its last write time (the orphan sweep's view). */
  listDetailed(prefix: string): AsyncIterable<StoredObject>;
}
