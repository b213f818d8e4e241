// The command line: `npx tandem <command> [options]`.
import { ZodError } from "zod";
import { commands } from "./commands";
import { nearestOption } from "./context";
import { describeZodError } from "../lib/errors/zod-message";

const [name, ...argv] = process.argv.slice(2);
const cmd = name ? commands[name] : undefined;
if (!cmd) {
  const unknown = name && name !== "help" && name !== "--help";
  if (unknown) {
    const near = nearestOption(name, Object.keys(commands));
    console.error(`tandem: unknown command ${name}${near ? `; did you mean ${near}?` : ""}`);
  }
  console.log("usage: tandem <command> [options]\n\ncommands:");
  for (const [n, c] of Object.entries(commands)) console.log(`  ${n.padEnd(12)} ${c.summary}`);
  process.exit(unknown ? 2 : 0);
}
try {
  await cmd.run(argv);
  process.exit(0);
} catch (e) {
  // Bad input names its field and limit, as on the web.
  const message = e instanceof ZodError ? describeZodError(e).message : (e as Error).message;
  console.error(`tandem ${name}: ${message}`);
  process.exit(1);
}
