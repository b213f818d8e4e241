import "server-only";
import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";
import { AppError } from "../errors/app-error";

export type Db = PrismaClient;

const globalForDb = globalThis as unknown as { tandemDb?: PrismaClient };

// Statements whose text starts with /*hot*/ (the vote and next-ballot path) are prepared once
// per connection under a name derived from their text, so the server parses them once and can
// keep a generic plan instead of planning them on every call. Only fixed texts may be marked:
// every distinct text stays prepared for the life of the connection.
const HOT = "/*hot*/";
const statementName = (query: { sql: string }) =>
  query.sql.trimStart().startsWith(HOT)
    ? `hot_${createHash("sha1").update(query.sql).digest("hex").slice(0, 20)}`
    : (undefined as unknown as string);

export function createDb(url: string, max = 10): PrismaClient {
  const adapter = new PrismaPg({ connectionString: url, max }, { statementNameGenerator: statementName });
  return new PrismaClient({ adapter });
}

/** The process-wide client (one pool per process, kept across Next.js hot reloads). */
export function db(): PrismaClient {
  if (!globalForDb.tandemDb) {
    const url = process.env.DATABASE_URL;
    if (!url)
      throw new AppError(
        "CONFIG",
        "DATABASE_URL is not set: start Tandem with `npm start` (embedded database) or set it",
      );
    globalForDb.tandemDb = createDb(url, Number(process.env.DB_POOL_MAX ?? 10));
  }
  return globalForDb.tandemDb;
}

export async function closeDb(): Promise<void> {
  await globalForDb.tandemDb?.$disconnect();
  globalForDb.tandemDb = undefined;
}
