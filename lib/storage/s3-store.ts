import {
  S3Client,
  PutObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  CreateBucketCommand,
  HeadBucketCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  CompleteMultipartUploadCommand,
  AbortMultipartUploadCommand,
} from "@aws-sdk/client-s3";
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

/** Any S3-compatible endpoint (AWS, MinIO, Ceph, ...). */
export class S3Store implements ObjectStore {
  readonly kind = "s3" as const;
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(cfg: S3Config) {
    this.bucket = cfg.bucket;
    this.client = new S3Client({
      region: cfg.region,
      endpoint: cfg.endpoint,
      forcePathStyle: cfg.forcePathStyle ?? Boolean(cfg.endpoint),
      credentials:
        cfg.accessKeyId && cfg.secretAccessKey
          ? { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey }
          : undefined,
    });
  }

  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    }
  }

  async put(key: string, body: Buffer | Uint8Array, opts?: PutOptions): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
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
    const Key = assertSafeKey(key);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let uploadId: string | undefined;
    const parts: { ETag: string; PartNumber: number }[] = [];
    const sendPart = async (data: Buffer) => {
      uploadId ??= (
        await this.client.send(
          new CreateMultipartUploadCommand({ Bucket: this.bucket, Key, ContentType: opts?.contentType }),
        )
      ).UploadId!;
      const PartNumber = parts.length + 1;
      const r = await this.client.send(
        new UploadPartCommand({ Bucket: this.bucket, Key, UploadId: uploadId, PartNumber, Body: data }),
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
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (e) {
      if (uploadId)
        await this.client
          .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId: uploadId }))
          .catch(() => undefined);
      throw e;
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: assertSafeKey(key) }));
      return Buffer.from(await r.Body!.transformToByteArray());
    } catch (e) {
      if (notFound(e)) throw new AppError("NOT_FOUND", "Object not found");
      throw e;
    }
  }

  async getStream(key: string): Promise<Readable> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: assertSafeKey(key) }));
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
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: assertSafeKey(key) }));
      return r.ContentLength ?? 0;
    } catch (e) {
      if (notFound(e)) throw new AppError("NOT_FOUND", "Object not found");
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: assertSafeKey(key) }));
  }

  async *list(prefix: string): AsyncIterable<string> {
    for await (const o of this.listDetailed(prefix)) yield o.key;
  }

  async *listDetailed(prefix: string): AsyncIterable<StoredObject> {
    assertSafePrefix(prefix);
    let token: string | undefined;
    do {
      const r = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix || undefined, ContinuationToken: token }),
      );
      for (const o of r.Contents ?? [])
        if (o.Key) yield { key: o.Key, modifiedAt: o.LastModified ?? new Date(0), temporary: false };
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
  }
}
