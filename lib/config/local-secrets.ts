import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * For the embedded, single-machine setup only: random secrets generated once and kept in
 * the data directory (mode 600). Servers set AUTH_SECRET and PSEUDONYM_KEY themselves.
 */
export function ensureLocalSecrets(dataDir: string): { AUTH_SECRET: string; PSEUDONYM_KEY: string } {
  const file = path.join(dataDir, "secrets.json");
  if (existsSync(file)) {
    chmodSync(file, 0o600);
    return JSON.parse(readFileSync(file, "utf8"));
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secrets = { AUTH_SECRET: randomBytes(32).toString("hex"), PSEUDONYM_KEY: randomBytes(32).toString("hex") };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: "wx" });
  return secrets;
}
