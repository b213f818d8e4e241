import path from "node:path";
import { configDefaults, defineConfig } from "vitest/config";

// One config, three projects:
//   pure — computation only (masks, ML, images, simulation, the import-boundary check): no global setup;
//   db   — every other unit and integration test, on a real PostgreSQL and an S3-protocol server;
//   e2e  — a production build of the app on a real database, driven by real Chromium.
// `npx vitest run <file>` runs the project(s) the file belongs to (a project's global setup runs only
// when one of its files is selected); `--project pure --project db` is the unit and integration run,
// `--project e2e` the end-to-end run (E2E_REBUILD=1 redoes the production build).
const pure = ["masks", "ml", "assist", "images", "simulate", "architecture"].map((d) => `tests/unit/${d}/**/*.test.ts`);

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // The data files' `server-only` marker throws outside React Server bundles: tests get its empty export.
      "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
    },
  },
  test: {
    pool: "forks",
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: "pure", include: pure, testTimeout: 60_000 } },
      {
        extends: true,
        test: {
          name: "db",
          include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...pure],
          globalSetup: ["tests/setup/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.e2e.test.ts"],
          globalSetup: ["tests/setup/global-setup.ts", "tests/e2e/app-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
