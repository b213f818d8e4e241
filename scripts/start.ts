// `npm start`: the whole product on embedded defaults — PostgreSQL, local object storage,
// a seeded demo project, the web app and a worker. Honours DATABASE_URL / STORAGE_DRIVER etc.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, statSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseEnv } from "../lib/config/env";
import { localWorkerEnv } from "../lib/config/local-workers";
import { ensureLocalSecrets } from "../lib/config/local-secrets";
import { prepareLocalStateDir, startLocalDatabase } from "../lib/config/local-state";
import { freePort, type EmbeddedDb } from "../lib/db/embedded";
import { migrate } from "../lib/db/migrate";

function fail(msg: string): never {
  console.error(`tandem: ${msg}`);
  process.exit(1);
}

const dataDir = path.resolve(process.env.TANDEM_DATA_DIR ?? ".tandem");
prepareLocalStateDir(dataDir, { embeddedDb: !process.env.DATABASE_URL });
const secrets = ensureLocalSecrets(dataDir);
const base: Record<string, string> = { ...(process.env as Record<string, string>), TANDEM_DATA_DIR: dataDir };
base.AUTH_SECRET ??= secrets.AUTH_SECRET;
base.PSEUDONYM_KEY ??= secrets.PSEUDONYM_KEY;
base.NODE_ENV = "production";

try {
  parseEnv(base);
} catch (e) {
  fail((e as Error).message);
}

const port = Number(base.PORT ?? 3000);
if ((await freePort(port)) !== port)
  fail(`port ${port} is in use: stop what is using it or run with PORT=<another port> npm start`);

let embedded: EmbeddedDb | undefined;
if (!base.DATABASE_URL) {
  try {
    embedded = await startLocalDatabase(dataDir);
  } catch (e) {
    fail((e as Error).message);
  }
  base.DATABASE_URL = embedded.url;
  console.log(
    `tandem: embedded PostgreSQL at ${embedded.url} (kept in ${path.join(dataDir, "database-url")}; data in ${embedded.dataDir})`,
  );
}
try {
  const r = await migrate(base.DATABASE_URL);
  if (r.applied.length) console.log(`tandem: applied migrations ${r.applied.join(", ")}`);
} catch (e) {
  fail(`database migration failed: ${(e as Error).message.split("\n")[0]}`);
}

Object.assign(base, localWorkerEnv(base, os.cpus().length));
base.APP_URL ??= `http://localhost:${port}`;
base.NEXTAUTH_URL ??= base.APP_URL;
Object.assign(process.env, base);

const { seedDemo } = await import("../lib/demo/seed-demo");
const seeded = await seedDemo({ log: (m) => console.log(`tandem: ${m}`) });

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name.startsWith(".") || e.name === "generated") continue;
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}
const buildId = path.join(".next", "BUILD_ID");
const sources = Math.max(newestMtime("app"), newestMtime("lib"));
if (!existsSync(buildId) || statSync(buildId).mtimeMs < sources) {
  console.log("tandem: building the web app (first start takes a minute)…");
  const b = spawnSync("npx", ["next", "build"], {
    stdio: ["ignore", "inherit", "inherit"],
    env: base as NodeJS.ProcessEnv,
  });
  if (b.status !== 0) fail("the web app did not build; see the output above");
}

const children: ChildProcess[] = [];
const web = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(port)], {
  stdio: "inherit",
  env: base as NodeJS.ProcessEnv,
});
const worker = spawn(process.execPath, ["--import", "./scripts/node-loader.mjs", "workers/main.ts"], {
  stdio: "inherit",
  env: base as NodeJS.ProcessEnv,
});
children.push(web, worker);

console.log(`\n  Tandem is running at ${base.APP_URL}\n`);
if (seeded.credentials.length) {
  console.log(
    `  Demo accounts (printed on this first start only; kept in ${path.join(dataDir, "demo-credentials.json")}, readable by you only; change the passwords before real use):`,
  );
  for (const c of seeded.credentials) console.log(`    ${c.role.padEnd(9)} ${c.email.padEnd(28)} ${c.password}`);
  console.log("");
}

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill("SIGTERM");
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once("exit", r)))));
  await embedded?.stop();
  process.exit(0);
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
for (const c of children)
  c.on("exit", (code) => {
    if (!stopping) {
      console.error(`tandem: a process exited (${code}); stopping`);
      void shutdown();
    }
  });
