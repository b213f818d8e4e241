#!/usr/bin/env node
// `npx tandem <command>`: runs the TypeScript CLI through tsx.
import { register } from "tsx/esm/api";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
process.chdir(root);
register();
await import(path.join(root, "cli", "main.ts"));
