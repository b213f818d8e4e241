import { defineConfig } from "vitest/config";
import path from "node:path";

// End-to-end: a production build of the app on a real database, driven by real Chromium.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(__dirname) } },
  test: {
    include: ["tests/e2e/**/*.e2e.test.ts"],
    globalSetup: ["tests/setup/global-setup.ts", "tests/e2e/app-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
  },
});
