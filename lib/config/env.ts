import { z } from "zod";
import { AppError } from "../errors/app-error";

// Values that ship in docs and examples: an auth secret equal to one of these is refused.
const knownDefaults = new Set([
  "secret",
  "changeme",
  "change-me",
  "development",
  "tandem",
  "nextauth-secret",
  "your-secret-here",
]);

const secret = z
  .string({ error: "is required (at least 32 random characters; `openssl rand -hex 32`)" })
  .min(32, "must be at least 32 characters")
  .refine((s) => !knownDefaults.has(s.toLowerCase()) && new Set(s).size >= 8, "is a default or low-entropy value");

const bool = z
  .enum(["0", "1", "true", "false"])
  .optional()
  .transform((v) => v === "1" || v === "true");

const boolDefaultOn = z
  .enum(["0", "1", "true", "false"])
  .optional()
  .transform((v) => v === undefined || v === "1" || v === "true");

const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().url("must be a postgres:// URL").optional(),
  TANDEM_DATA_DIR: z.string().default(".tandem"),
  AUTH_SECRET: secret,
  PSEUDONYM_KEY: secret,
  APP_URL: z.string().url().default("http://localhost:3000"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  STORAGE_DRIVER: z.enum(["local", "s3"]).default("local"),
  STORAGE_DIR: z.string().optional(),
  S3_ENDPOINT: z.string().url().optional(),
  S3_REGION: z.string().default("us-east-1"),
  S3_BUCKET: z.string().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: bool,
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  OIDC_NAME: z.string().default("Hospital SSO"),
  OIDC_SCOPES: z.string().default("openid email profile"),
  OIDC_ID_CLAIM: z.enum(["email", "preferred_username", "upn"]).default("email"),
  OIDC_REQUIRE_EMAIL_VERIFIED: boolDefaultOn,
  OIDC_ALLOWED_DOMAINS: list,
  OIDC_GROUPS_CLAIM: z.string().default("groups"),
  OIDC_GROUP_ROLES: list,
  OIDC_JIT: bool,
  OIDC_DEFAULT_ROLES: list,
  PASSWORD_LOGIN: boolDefaultOn,
  TRUST_PROXY: z.coerce
    .number({ error: "must be the number of proxy hops in front of Tandem (0 = none)" })
    .int()
    .min(0)
    .max(10)
    .default(0),
  PYTHON: z.string().default("/usr/bin/python3"),
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(200 * 1024 * 1024),
  MAX_IMAGE_PIXELS: z.coerce.number().int().positive().default(50_000_000),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
});
export type Env = z.infer<typeof envSchema>;

/** Parses the environment; a bad value throws one line naming every bad variable. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const r = envSchema.safeParse(source);
  if (!r.success) {
    const parts = r.error.issues.map((i) => `${i.path.join(".")} ${i.message}`);
    throw new AppError("CONFIG", `Invalid configuration: ${parts.join("; ")}`);
  }
  const env = r.data;
  if (env.STORAGE_DRIVER === "s3" && !env.S3_BUCKET) {
    throw new AppError("CONFIG", "Invalid configuration: S3_BUCKET is required when STORAGE_DRIVER=s3");
  }
  if (env.OIDC_ISSUER && !(env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET)) {
    throw new AppError(
      "CONFIG",
      "Invalid configuration: OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are required with OIDC_ISSUER",
    );
  }
  if (!env.PASSWORD_LOGIN && !env.OIDC_ISSUER) {
    throw new AppError("CONFIG", "Invalid configuration: PASSWORD_LOGIN=0 needs OIDC_ISSUER, or nobody could sign in");
  }
  return env;
}

let cached: Env | undefined;
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}
