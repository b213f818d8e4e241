// The command line: `npx tandem <command> [options]`.
import { commands } from "./commands";

const [name, ...argv] = process.argv.slice(2);
const cmd = name ? commands[name] : undefined;
if (!cmd) {
  console.log("usage: tandem <command> [options]\n\ncommands:");
  for (const [n, c] of Object.entries(commands)) console.log(`  ${n.padEnd(10)} ${c.summary}`);
  process.exit(name && name !== "help" ? 2 : 0);
}
try {
  await cmd.run(argv);
  process.exit(0);
} catch (e) {
  console.error(`tandem ${name}: ${(e as Error).message}`);
  process.exit(1);
}
