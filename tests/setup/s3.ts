import { S3Store } from "../../lib/storage/s3-store";

/** A store on the test S3-protocol server (s3rver, started by the global setup), or another endpoint. */
export function testS3Store(endpoint = process.env.TEST_S3_ENDPOINT): S3Store {
  return new S3Store({
    endpoint,
    region: "us-east-1",
    bucket: process.env.TEST_S3_BUCKET!,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    forcePathStyle: true,
  });
}
