import "server-only";
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

/**
 * The options a command accepts: `values` take an argument, `booleans` do not; `positionals` is
 * how many plain arguments it takes at most (none unless said).
 */
export type ArgSpec = { values: readonly string[]; booleans?: readonly string[]; positionals?: number };

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The accepted option closest to `name`, when it is close enough to be a typo. */
export function nearestOption(name: string, options: readonly string[]): string | null {
  let best: string | null = null,
    bestDistance = Infinity;
  for (const option of options) {
    const d = editDistance(name, option);
    if (d < bestDistance) [best, bestDistance] = [option, d];
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : null;
}

/**
 * --name value, --name=value, --flag and positionals. Every command passes its ArgSpec: an
 * option it does not know is refused with the nearest valid one (a typo must never run with
 * a default), a value option without its value is refused too, and so is a plain argument
 * beyond those the command takes.
 */
export function parseArgs(argv: string[], spec: ArgSpec) {
  const flags: Record<string, string | true> = {};
  const positional: string[] = [];
  const known = [...spec.values, ...(spec.booleans ?? []), "help"];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--")) {
      const [k, v] = a.slice(2).split("=", 2);
      if (!known.includes(k)) {
        const near = nearestOption(k, known);
        throw new Error(
          `unknown option --${k}${near ? `; did you mean --${near}?` : ""} (options: ${known.map((o) => `--${o}`).join(" ")})`,
        );
      }
      const isBoolean = !spec.values.includes(k);
      if (v !== undefined) {
        if (isBoolean) throw new Error(`--${k} takes no value`);
        flags[k] = v;
      } else if (!isBoolean && argv[i + 1] !== undefined && !argv[i + 1].startsWith("--")) flags[k] = argv[++i];
      else if (!isBoolean) throw new Error(`--${k} needs a value`);
      else flags[k] = true;
    } else if (positional.length < (spec.positionals ?? 0)) positional.push(a);
    else throw new Error(`unexpected argument "${a}" (options start with --)`);
  }
  return { flags, positional };
}

/** A path the user typed, relative to the folder they typed it in (bin/tandem.mjs sets INIT_CWD to it, then runs from the repository root). */
export const fromCaller = (p: string) => path.resolve(process.env.INIT_CWD ?? process.cwd(), p);

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
