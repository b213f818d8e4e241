import path from "node:path";
import { parseEnv } from "../lib/config/env";
import { ensureLocalSecrets } from "../lib/config/local-secrets";
import { prepareLocalStateDir, runningLocalDatabase, startLocalDatabase } from "../lib/config/local-state";
import type { EmbeddedDb } from "../lib/db/embedded";
import { migrate } from "../lib/db/migrate";

/**
 * Prepares the environment a CLI command needs: the configured database, or the same
 * embedded one `npm start` uses (its data directory), migrated.
 */
export async function withDatabase<T>(fn: () => Promise<T>): Promise<T> {
  const dataDir = path.resolve(process.env.TANDEM_DATA_DIR ?? ".tandem");
  prepareLocalStateDir(dataDir, { embeddedDb: !process.env.DATABASE_URL });
  const secrets = ensureLocalSecrets(dataDir);
  process.env.TANDEM_DATA_DIR = dataDir;
  process.env.AUTH_SECRET ??= secrets.AUTH_SECRET;
  process.env.PSEUDONYM_KEY ??= secrets.PSEUDONYM_KEY;
  parseEnv();
  let embedded: EmbeddedDb | undefined;
  if (!process.env.DATABASE_URL) {
    // The database `npm start` runs, when it does; else this command starts it for itself.
    const running = await runningLocalDatabase(dataDir);
    if (running) process.env.DATABASE_URL = running;
    else {
      embedded = await startLocalDatabase(dataDir);
      process.env.DATABASE_URL = embedded.url;
    }
  }
  await migrate(process.env.DATABASE_URL!);
  try {
    return await fn();
  } finally {
    const { closeDb } = await import("../lib/db/client");
    await closeDb();
    await embedded?.stop();
  }
}

/** Minimal flag parsing: --name value, --flag, and positionals. */
export function parseArgs(argv: string[]) {
  const flags: Record<string, string | true> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--")) {
      const [k, v] = a.slice(2).split("=", 2);
      if (v !== undefined) flags[k] = v;
      else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith("--")) flags[k] = argv[++i];
      else flags[k] = true;
    } else positional.push(a);
  }
  return { flags, positional };
}

/** A one-line progress bar on stderr. */
export function progressBar(label: string) {
  let last = 0;
  return (done: number, total: number) => {
    const now = Date.now();
    if (now - last < 200 && done < total) return;
    last = now;
    const w = 30;
    const f = total ? Math.round((done / total) * w) : 0;
    process.stderr.write(`\r${label} [${"#".repeat(f)}${".".repeat(w - f)}] ${done}/${total}`);
    if (done >= total) process.stderr.write("\n");
  };
}
