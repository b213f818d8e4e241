#!/usr/bin/env node
// `npx tandem <command>`: runs the TypeScript CLI through tsx (scripts/node-loader.mjs: tsx, and the
// `server-only` marker of the data files resolved to its empty export).
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// Paths the user types are relative to the folder they typed them in (cli/context.ts `fromCaller`);
// npx sets INIT_CWD to it, and so does this for a direct `node bin/tandem.mjs` (an inherited one is stale).
process.env.INIT_CWD = process.cwd();
process.chdir(root);
await import(pathToFileURL(path.join(root, "scripts", "node-loader.mjs")).href);
await import(pathToFileURL(path.join(root, "cli", "main.ts")).href);
