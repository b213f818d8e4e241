import "server-only";
import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/client";
import { AppError } from "../errors/app-error";

export type Db = PrismaClient;

const globalForDb = globalThis as unknown as { tandemDb?: PrismaClient; tandemPool?: pg.Pool };

// Statements whose text starts with /*hot*/ (the vote and next-ballot path) are prepared once
// per connection under a name derived from their text, so the server parses them once and can
// keep a generic plan instead of planning them on every call. Only fixed texts may be marked:
// every distinct text stays prepared for the life of the connection.
const HOT = "/*hot*/";
export const statementName = (sql: string): string | undefined =>
  sql.trimStart().startsWith(HOT) ? `hot_${createHash("sha1").update(sql).digest("hex").slice(0, 20)}` : undefined;

export function createDb(url: string, max = 10): PrismaClient {
  return clientOn(new pg.Pool({ connectionString: url, max }), true);
}

function clientOn(pool: pg.Pool, disposePool: boolean): PrismaClient {
  const adapter = new PrismaPg(pool, {
    statementNameGenerator: (query) => statementName(query.sql) as string,
    disposeExternalPool: disposePool,
  });
  return new PrismaClient({ adapter });
}

/**
 * The process-wide connection pool. Prisma runs on it, and so does the plain-SQL path
 * (`lib/db/raw.ts`) that the voting hot path uses, so both share one set of connections.
 */
export function pool(): pg.Pool {
  if (!globalForDb.tandemPool) {
    const url = process.env.DATABASE_URL;
    if (!url)
      throw new AppError(
        "CONFIG",
        "DATABASE_URL is not set: start Tandem with `npm start` (embedded database) or set it",
      );
    const p = new pg.Pool({ connectionString: url, max: Number(process.env.DB_POOL_MAX ?? 10) });
    // An idle connection the server dropped must not crash the process; the pool replaces it.
    p.on("error", (e) => console.error(`database connection lost: ${e.message}`));
    globalForDb.tandemPool = p;
  }
  return globalForDb.tandemPool;
}

/** The process-wide client (one pool per process, kept across Next.js hot reloads). */
export function db(): PrismaClient {
  if (!globalForDb.tandemDb) globalForDb.tandemDb = clientOn(pool(), false);
  return globalForDb.tandemDb;
}

export async function closeDb(): Promise<void> {
  await globalForDb.tandemDb?.$disconnect();
  globalForDb.tandemDb = undefined;
  await globalForDb.tandemPool?.end();
  globalForDb.tandemPool = undefined;
}
