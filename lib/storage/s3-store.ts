import type { S3Client } from "@aws-sdk/client-s3";
import type { Readable } from "node:stream";
import { AppError } from "../errors/app-error";
import { assertSafeKey, assertSafePrefix } from "./keys";
import type { ObjectStore, PutOptions, StoredObject } from "./types";

export type S3Config = {
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle?: boolean;
};

function notFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === "NoSuchKey" || err?.name === "NotFound" || err?.$metadata?.httpStatusCode === 404;
}

// S3 parts must be at least 5 MiB (all but the last); 8 MiB keeps a 120k-image archive well under the 10,000-part cap up to 80 GB.
const PART_BYTES = 8 * 1024 * 1024;

type Sdk = typeof import("@aws-sdk/client-s3");
let sdkModule: Promise<Sdk> | null = null;

/** Any S3-compatible endpoint (AWS, MinIO, Ceph, ...). */
export class S3Store implements ObjectStore {
  readonly kind = "s3" as const;
  private client: S3Client | null = null;
  private readonly bucket: string;

  constructor(private readonly cfg: S3Config) {
    this.bucket = cfg.bucket;
  }

  /**
   * The SDK and the client, loaded on first use: the SDK is about 30 MB resident, and a process
   * on local storage (an export, the CLI) never needs it although store.ts imports this class.
   */
  private async s3(): Promise<{ client: S3Client; sdk: Sdk }> {
    const sdk = await (sdkModule ??= import("@aws-sdk/client-s3"));
    const cfg = this.cfg;
    this.client ??= new sdk.S3Client({
      region: cfg.region,
      endpoint: cfg.endpoint,
      forcePathStyle: cfg.forcePathStyle ?? Boolean(cfg.endpoint),
      credentials:
        cfg.accessKeyId && cfg.secretAccessKey
          ? { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey }
          : undefined,
    });
    return { client: this.client, sdk };
  }

  async ensureBucket(): Promise<void> {
    const { client, sdk } = await this.s3();
    try {
      await client.send(new sdk.HeadBucketCommand({ Bucket: this.bucket }));
    } catch {
      await client.send(new sdk.CreateBucketCommand({ Bucket: this.bucket }));
    }
  }

  async put(key: string, body: Buffer | Uint8Array, opts?: PutOptions): Promise<void> {
    const { client, sdk } = await this.s3();
    await client.send(
      new sdk.PutObjectCommand({
        Bucket: this.bucket,
        Key: assertSafeKey(key),
        Body: body,
        ContentType: opts?.contentType,
      }),
    );
  }

  /**
   * Streams of unknown length go up as a multipart upload in parts of PART_BYTES, so memory
   * holds one part whatever the object's size; a stream shorter than one part is a plain PUT.
   * A failure aborts the upload, leaving no partial object.
   */
  async putStream(key: string, body: Readable, opts?: PutOptions): Promise<void> {
    const { client, sdk } = await this.s3();
    const Key = assertSafeKey(key);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let uploadId: string | undefined;
    const parts: { ETag: string; PartNumber: number }[] = [];
    const sendPart = async (data: Buffer) => {
      uploadId ??= (
        await client.send(
          new sdk.CreateMultipartUploadCommand({ Bucket: this.bucket, Key, ContentType: opts?.contentType }),
        )
      ).UploadId!;
      const PartNumber = parts.length + 1;
      const r = await client.send(
        new sdk.UploadPartCommand({ Bucket: this.bucket, Key, UploadId: uploadId, PartNumber, Body: data }),
      );
      parts.push({ ETag: r.ETag!, PartNumber });
    };
    try {
      for await (const c of body) {
        const chunk = Buffer.isBuffer(c) ? c : Buffer.from(c);
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= PART_BYTES) {
          const all = Buffer.concat(pending, pendingBytes);
          pending = [all.subarray(PART_BYTES)];
          pendingBytes = all.length - PART_BYTES;
          await sendPart(all.subarray(0, PART_BYTES));
        }
      }
      const rest = Buffer.concat(pending, pendingBytes);
      if (!uploadId) return await this.put(key, rest, opts);
      if (rest.length) await sendPart(rest);
      await client.send(
        new sdk.CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (e) {
      if (uploadId)
        await client
          .send(new sdk.AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId: uploadId }))
          .catch(() => undefined);
      throw e;
    }
  }

  async get(key: string): Promise<Buffer> {
    const { client, sdk } = await this.s3();
    try {
      const r = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: assertSafeKey(key) }));
      return Buffer.from(await r.Body!.transformToByteArray());
    } catch (e) {
      if (notFound(e)) throw new AppError("NOT_FOUND", "Object not found");
      throw e;
    }
  }

  async getStream(key: string): Promise<Readable> {
    const { client, sdk } = await this.s3();
    try {
      const r = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: assertSafeKey(key) }));
      return r.Body as Readable;
    } catch (e) {
      if (notFound(e)) throw new AppError("NOT_FOUND", "Object not found");
      throw e;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.size(key);
      return true;
    } catch (e) {
      if (e instanceof AppError && e.code === "NOT_FOUND") return false;
      throw e;
    }
  }

  async size(key: string): Promise<number> {
    const { client, sdk } = await this.s3();
    try {
      const r = await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: assertSafeKey(key) }));
      return r.ContentLength ?? 0;
    } catch (e) {
      if (notFound(e)) throw new AppError("NOT_FOUND", "Object not found");
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    const { client, sdk } = await this.s3();
    await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: assertSafeKey(key) }));
  }

  async *list(prefix: string): AsyncIterable<string> {
    for await (const o of this.listDetailed(prefix)) yield o.key;
  }

  async *listDetailed(prefix: string): AsyncIterable<StoredObject> {
    const { client, sdk } = await this.s3();
    assertSafePrefix(prefix);
    let token: string | undefined;
    do {
      const r = await client.send(
        new sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix || undefined, ContinuationToken: token }),
      );
      for (const o of r.Contents ?? [])
        if (o.Key) yield { key: o.Key, modifiedAt: o.LastModified ?? new Date(0), temporary: false };
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
  }
}
