import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";
import { AppError } from "../errors/app-error";

export type Db = PrismaClient;

const globalForDb = globalThis as unknown as { tandemDb?: PrismaClient };

export function createDb(url: string, max = 10): PrismaClient {
  const adapter = new PrismaPg({ connectionString: url, max });
  return new PrismaClient({ adapter });
}

/** The process-wide client (one pool per process, kept across Next.js hot reloads). */
export function db(): PrismaClient {
  if (!globalForDb.tandemDb) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new AppError("CONFIG", "DATABASE_URL is not set: start Tandem with `npm start` (embedded database) or set it");
    globalForDb.tandemDb = createDb(url, Number(process.env.DB_POOL_MAX ?? 10));
  }
  return globalForDb.tandemDb;
}

export async function closeDb(): Promise<void> {
  await globalForDb.tandemDb?.$disconnect();
  globalForDb.tandemDb = undefined;
}
