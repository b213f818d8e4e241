import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  breaches,
  clientReachesData,
  importsOf,
  isClientModule,
  isDataFile,
  isServerActionModule,
  missingServerOnly,
  modulesWith,
  ready,
  repositoryImports,
  resolveImport,
  type Import,
} from "./import-graph";

const root = path.resolve(import.meta.dirname, "../../..");

// Reading every file through esbuild takes a few seconds, minutes on a loaded machine: once per run.
let repository: Import[] = [];

describe("import boundaries (the house rules)", () => {
  beforeAll(async () => {
    await ready;
    repository = repositoryImports(root, ["lib", "app", "cli", "workers"]);
  }, 600_000);

  it("hold for the repository", () => {
    expect(repository.length).toBeGreaterThan(500);
    expect(breaches(repository)).toEqual([]);
  });

  it("catch a pure lib file importing the database client, lib importing app/cli/workers, a component importing a page folder", () => {
    const exists = (p: string) =>
      [
        "lib/db/client.ts",
        "workers/trainer/presets.json",
        "app/projects/[slug]/dashboard/actions.ts",
        "cli/context.ts",
        "workers/runner.ts",
        "app/_lib/action.ts",
      ].includes(p);
    const files: Record<string, string> = {
      "lib/voting/lease.ts": `import { db } from "../db/client";\nexport const n = () => db();`,
      "lib/masks/measures.ts": `const { db } = await import("@/lib/db/client");`,
      "lib/jobs/run.ts": `export { runner } from "../../workers/runner";\nimport "../../cli/context";`,
      "lib/ui/x.ts": `import { a } from "@/app/_lib/action";\na();`,
      "app/_components/dashboard/panel.tsx": `import { retryJobAction } from "@/app/projects/[slug]/dashboard/actions";\nexport const P = () => <button onClick={() => retryJobAction()} />;`,
      // Allowed: data files, type-only imports, private app folders.
      "lib/voting/queries.ts": `import { db } from "../db/client";\ndb();`,
      "lib/protocol/mutations/stages.ts": `import { db } from "../../db/client";\ndb();`,
      "lib/masks/types.ts": `import type { db } from "../db/client";\nexport type D = ReturnType<typeof db>;`,
      "lib/masks/rle.ts": `import { type Prisma } from "../db/client";\nexport type T = Prisma;`,
      "lib/ml/presets.ts": `import presets from "../../workers/trainer/presets.json";\nexport default presets;`,
      "app/_components/dashboard/ok.tsx": `import { action } from "@/app/_lib/action";\naction();`,
    };
    const imports: Import[] = Object.entries(files).flatMap(([from, text]) =>
      importsOf(from, text).map((specifier) => ({ from, specifier, target: resolveImport(from, specifier, exists) })),
    );
    const found = breaches(imports).map((b) => `${b.from} ← ${b.specifier}`);
    expect(found).toEqual([
      "lib/voting/lease.ts ← ../db/client",
      "lib/masks/measures.ts ← @/lib/db/client",
      "lib/jobs/run.ts ← ../../workers/runner",
      "lib/jobs/run.ts ← ../../cli/context",
      "lib/ui/x.ts ← @/app/_lib/action",
      "app/_components/dashboard/panel.tsx ← @/app/projects/[slug]/dashboard/actions",
    ]);
  });

  it("every data file, and every file that imports the database client, imports server-only", () => {
    const marked = repository.filter((i) => i.specifier === "server-only").map((i) => i.from);
    expect(marked).toContain("lib/db/client.ts");
    expect(marked).toContain("lib/protocol/mutations/stages.ts");
    expect(missingServerOnly(repository)).toEqual([]);
  });

  it("a data file or a user of the database client without the server-only marker is caught", () => {
    const files: Record<string, string> = {
      "lib/a/queries.ts": `import { db } from "../db/client";\nexport const n = () => db();`,
      "lib/a/mutations/write.ts": `import { recordAudit } from "../../audit/mutations";\nrecordAudit();`,
      "workers/main.ts": `import { closeDb } from "../lib/db/client";\ncloseDb();`,
      // Marked, or no database at all: fine.
      "lib/b/queries.ts": `import "server-only";\nimport { db } from "../db/client";\ndb();`,
      "lib/b/format.ts": `import type { Prisma } from "../db/client";\nexport type T = Prisma;`,
    };
    const exists = (p: string) => p === "lib/db/client.ts" || p === "lib/audit/mutations.ts";
    const imports: Import[] = Object.entries(files).flatMap(([from, text]) =>
      importsOf(from, text).map((specifier) => ({ from, specifier, target: resolveImport(from, specifier, exists) })),
    );
    expect(missingServerOnly(imports)).toEqual(["lib/a/mutations/write.ts", "lib/a/queries.ts", "workers/main.ts"]);
  });

  it("no browser module reaches a data file or the database client (what server-only would guard)", () => {
    const clients = modulesWith("client", root, ["app", "lib"]);
    expect(clients.length).toBeGreaterThan(10);
    const chains = clientReachesData(repository, clients, modulesWith("server", root, ["app", "lib"]));
    expect(chains.map((c) => c.join(" → "))).toEqual([]);
  });

  it("a client module that reaches a data file, even through another module, is caught", () => {
    expect(isClientModule(`// a comment\n"use client";\nimport x from "y";`)).toBe(true);
    expect(isClientModule(`import x from "y";\n"use client";`)).toBe(false);
    expect(isServerActionModule(`"use server";\nexport async function a() {}`)).toBe(true);
    const imports: Import[] = [
      { from: "app/_components/a.tsx", specifier: "@/lib/x/format", target: "lib/x/format.ts" },
      { from: "lib/x/format.ts", specifier: "./queries", target: "lib/x/queries.ts" },
      { from: "app/_components/b.tsx", specifier: "@/lib/x/format", target: "lib/x/types.ts" },
      // A server action is called by reference from the browser: its imports stay on the server.
      { from: "app/_components/c.tsx", specifier: "@/app/_actions/x", target: "app/_actions/x.ts" },
      { from: "app/_actions/x.ts", specifier: "@/lib/x/mutations", target: "lib/x/mutations.ts" },
    ];
    const clients = ["app/_components/a.tsx", "app/_components/b.tsx", "app/_components/c.tsx"];
    expect(clientReachesData(imports, clients, ["app/_actions/x.ts"])).toEqual([
      ["app/_components/a.tsx", "lib/x/format.ts", "lib/x/queries.ts"],
    ]);
    expect(clientReachesData(imports, clients)).toHaveLength(2);
  });

  it("knows a data file by its name or folder", () => {
    expect(
      ["lib/a/queries.ts", "lib/a/mutations.ts", "lib/protocol/mutations/stages.ts", "lib/a/queries/x.ts"].every(
        isDataFile,
      ),
    ).toBe(true);
    expect(["lib/a/queries-helper.ts", "lib/a/lease.ts", "lib/a/my-mutations.ts"].some(isDataFile)).toBe(false);
  });
});
