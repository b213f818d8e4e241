import { defineConfig } from "vitest/config";
import path from "node:path";

// Only the simulation kit's unit tests; no global setup (they need no databases).
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["tests/unit/simulate/**/*.test.ts"],
    testTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
