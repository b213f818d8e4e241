import "server-only";
import type pg from "pg";
import type { Prisma } from "./generated/client";
import { pool, statementName } from "./client";

/**
 * Plain SQL on the shared pool, for the few paths where Prisma's per-query and per-transaction
 * work is most of the cost (the vote and next-ballot path: measured at about 0.45 ms of CPU per
 * statement and 1 ms per transaction through Prisma, against 0.15 and 0.1 ms here). Statements
 * are `Prisma.sql` fragments, so the same text runs here or through a Prisma transaction
 * (`runnerOf`). Results come as the pg driver gives them: cast counts to int in the SQL.
 */
export type SqlRunner = {
  rows<T>(q: Prisma.Sql): Promise<T[]>;
  run(q: Prisma.Sql): Promise<number>;
};

function runnerOn(c: pg.Pool | pg.PoolClient): SqlRunner {
  const exec = (q: Prisma.Sql) => c.query({ name: statementName(q.text), text: q.text, values: q.values });
  return {
    rows: async <T>(q: Prisma.Sql) => (await exec(q)).rows as T[],
    run: async (q) => (await exec(q)).rowCount ?? 0,
  };
}

/** Single statements, each on any free connection. */
export function sql(): SqlRunner {
  return runnerOn(pool());
}

/** The same statements inside a Prisma transaction. */
export function runnerOf(tx: Prisma.TransactionClient): SqlRunner {
  return {
    rows: <T>(q: Prisma.Sql) => tx.$queryRaw<T[]>(q),
    run: (q) => tx.$executeRaw(q),
  };
}

/** One transaction on one connection: committed when `fn` returns, rolled back when it throws. */
export async function sqlTransaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
  const client = await pool().connect();
  let broken = false;
  try {
    await client.query("BEGIN");
    const out = await fn(runnerOn(client));
    await client.query("COMMIT");
    return out;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {
      broken = true;
    });
    throw e;
  } finally {
    client.release(broken);
  }
}

const AS_TEXT = { getTypeParser: () => (v: string) => v };

/** Transaction-local; transaction_timeout exists from PostgreSQL 17 on, so only settings the server has are named. */
const LIFT_TIMEOUTS = `SELECT set_config(name, '0', true) FROM pg_settings
  WHERE name IN ('idle_in_transaction_session_timeout', 'transaction_timeout')`;

/**
 * The rows of one query, `pageSize` at a time, each row's values as the server's text (no type
 * parsing), read through a cursor in a read-only REPEATABLE READ transaction on a connection of
 * its own: every page comes from one snapshot and one plan (a query per page was planned and
 * started again each time). The next page is asked for before the current one is handed over,
 * so the server reads it while the caller works.
 *
 * The transaction lives as long as its reader: a server's idle-in-transaction or transaction
 * timeout (set by a DBA against leaked sessions) would end it under a reader held back by a slow
 * consumer, so both are lifted for this transaction alone, where the server has them.
 */
export async function* snapshotPages(q: Prisma.Sql, pageSize: number): AsyncGenerator<string[][]> {
  const client = await pool().connect();
  let broken = false;
  let open = false;
  let next: Promise<pg.QueryArrayResult<string[]>> | null = null;
  const fetch = (): Promise<pg.QueryArrayResult<string[]>> => {
    const p = client.query<string[]>({
      text: `FETCH ${pageSize} FROM tandem_pages`,
      rowMode: "array" as const,
      types: AS_TEXT,
    });
    p.catch(() => undefined); // raised where it is awaited
    return p;
  };
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    open = true;
    await client.query(LIFT_TIMEOUTS);
    await client.query({ text: `DECLARE tandem_pages NO SCROLL CURSOR FOR ${q.text}`, values: q.values });
    next = fetch();
    for (;;) {
      const page: pg.QueryArrayResult<string[]> = await next;
      const rows = page.rows;
      next = rows.length < pageSize ? null : fetch();
      if (rows.length) yield rows;
      if (!next) break;
    }
    await client.query("COMMIT");
    open = false;
  } catch (e) {
    broken = true;
    throw e;
  } finally {
    if (open && !broken) {
      // The caller stopped early: let a page in flight arrive, then end the transaction.
      await next?.catch(() => (broken = true));
      await client.query("ROLLBACK").catch(() => (broken = true));
    }
    client.release(broken);
  }
}
