import { randomBytes } from "node:crypto";
import path from "node:path";

/** The environment of a Tandem started by a bench on its own scratch database and storage folder. */
export function scratchAppEnv(dir: string, databaseUrl: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    AUTH_SECRET: randomBytes(24).toString("hex"),
    PSEUDONYM_KEY: randomBytes(24).toString("hex"),
    STORAGE_DRIVER: "local",
    STORAGE_DIR: path.join(dir, "storage"),
    LOG_LEVEL: "error",
    NODE_ENV: "production",
  };
}
