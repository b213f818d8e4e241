// The one preload for running Tandem's TypeScript under plain Node (CLI, workers, scripts, benches,
// and the child processes tests start): `node --import ./scripts/node-loader.mjs file.ts`.
// It loads tsx, and resolves the `server-only` marker to its empty export. The data files import
// "server-only" so that a client bundle reaching them fails `next build` (Next resolves the marker
// itself: empty on the server, a build error in the browser); outside Next the package's default
// export throws, because only React Server bundles resolve the "react-server" condition.
import { register } from "node:module";

const hook = `export async function resolve(specifier, context, next) {
  if (specifier !== "server-only") return next(specifier, context);
  return next(specifier, { ...context, conditions: [...context.conditions, "react-server"] });
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
await import("tsx");
