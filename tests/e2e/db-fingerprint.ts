import { db } from "../../lib/db/client";

// A digest of every row of every table, to show that refused requests wrote nothing. Session
// bookkeeping is left out: reading a session may legitimately touch it.
export async function databaseFingerprint(): Promise<string> {
  const tables = await db().$queryRawUnsafe<{ t: string }[]>(
    `SELECT tablename t FROM pg_tables WHERE schemaname = 'public' AND tablename !~* 'session|verification' ORDER BY tablename`,
  );
  const parts: string[] = [];
  for (const { t } of tables) {
    const [r] = await db().$queryRawUnsafe<{ h: string | null; n: bigint }[]>(
      `SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) h, count(*) n FROM "${t}" x`,
    );
    parts.push(`${t}:${r.n}:${r.h}`);
  }
  return parts.join("|");
}
