import "server-only";
import { db } from "./client";

export async function databaseReady(): Promise<{ ok: boolean; migrations?: number; error?: string }> {
  try {
    const rows = await db().$queryRaw<
      { n: bigint }[]
    >`SELECT count(*) AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL`;
    return { ok: true, migrations: Number(rows[0].n) };
  } catch (e) {
    return { ok: false, error: (e as Error).message.split("\n")[0] };
  }
}
