// `prisma generate` offline: Prisma's CLI wants a native schema engine it would download,
// but generation does not use it, so any existing file satisfies the check.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? fileURLToPath(import.meta.url),
};
const r = spawnSync("npx", ["prisma", "generate"], { stdio: ["ignore", "ignore", "inherit"], env });
if (r.status !== 0) process.exit(r.status ?? 1);
console.log("prisma client generated");
