// Run in its own process by tests: prepares a local state directory like `npm start` does,
// starts its embedded PostgreSQL, writes and reads a row, stops it, and prints one JSON line.
import path from "node:path";
import pg from "pg";
import { ensureLocalSecrets } from "../../lib/config/local-secrets";
import { prepareLocalStateDir } from "../../lib/config/local-state";
import { startEmbeddedPostgres } from "../../lib/db/embedded";

async function main() {
  const stateDir = path.resolve(process.argv[2] ?? ".tandem");
  prepareLocalStateDir(stateDir, { embeddedDb: true });
  ensureLocalSecrets(stateDir);
  const db = await startEmbeddedPostgres({
    dataDir: path.join(stateDir, "pg"),
    onLog: (l) => process.env.PROBE_VERBOSE && process.stderr.write(l),
  });
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query("CREATE TABLE IF NOT EXISTS probe (n int)");
  await c.query("INSERT INTO probe VALUES (1)");
  const { rows } = await c.query("SELECT count(*)::int AS n, current_user AS who FROM probe");
  await c.end();
  await db.stop();
  console.log(JSON.stringify({ url: db.url, dataDir: db.dataDir, rows: rows[0].n, user: rows[0].who }));
}
main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
