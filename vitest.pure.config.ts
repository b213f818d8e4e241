import { defineConfig } from "vitest/config";
import path from "node:path";

// Pure-computation suites (masks, ml): no database, so no global setup.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(__dirname) } },
  test: {
    include: ["tests/unit/masks/**/*.test.ts", "tests/unit/ml/**/*.test.ts", "tests/unit/assist/**/*.test.ts"],
    testTimeout: 60_000,
  },
});
