import { defineConfig } from "prisma/config";

// Migrations are applied by lib/db/migrate.ts (Prisma's native engine may not be downloadable);
// the folder format stays compatible with `prisma migrate deploy`.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/tandem" },
});
