import { defineConfig } from "vitest/config";
import path from "node:path";

// Image ingest unit tests only: no database, so no global setup.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(__dirname) } },
  test: {
    include: ["tests/unit/images/**/*.test.ts"],
    testTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
