import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, freePort, type EmbeddedDb } from "../../lib/db/embedded";
import { migrate } from "../../lib/db/migrate";

// One real PostgreSQL and one S3-protocol server (s3rver on loopback) for the whole run.
// Tests share a freshly migrated database and isolate themselves by creating their own rows.
let pgServer: EmbeddedDb | undefined;
let s3: { close(): Promise<void> } | undefined;
let s3Dir: string | undefined;

export async function setup() {
  process.env.AUTH_SECRET ??= "test-auth-secret-0123456789abcdefghijklmnop";
  process.env.PSEUDONYM_KEY ??= "test-pseudonym-key-0123456789abcdefghijklmno";
  process.env.LOG_LEVEL ??= "warn";
  if (!process.env.TEST_DATABASE_URL) {
    pgServer = await startEmbeddedPostgres({
      dataDir: path.join(os.tmpdir(), "tandem-test-pg", "data"),
      database: "postgres",
    });
    const admin = new pg.Client({ connectionString: pgServer.url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS tandem_test WITH (FORCE)`);
    await admin.query(`CREATE DATABASE tandem_test`);
    await admin.end();
    process.env.TEST_DATABASE_URL = pgServer.url.replace(/\/postgres$/, "/tandem_test");
  }
  process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;
  await migrate(process.env.DATABASE_URL!);

  const S3rver = (await import("s3rver")).default;
  s3Dir = mkdtempSync(path.join(os.tmpdir(), "tandem-s3-"));
  const port = await freePort();
  const server = new S3rver({
    port,
    address: "127.0.0.1",
    silent: true,
    directory: s3Dir,
    configureBuckets: [{ name: "tandem-test", configs: [] }],
  });
  await server.run();
  s3 = server;
  process.env.TEST_S3_ENDPOINT = `http://127.0.0.1:${port}`;
  process.env.TEST_S3_BUCKET = "tandem-test";
}

export async function teardown() {
  await s3?.close();
  if (s3Dir) rmSync(s3Dir, { recursive: true, force: true });
  await pgServer?.stop();
}
