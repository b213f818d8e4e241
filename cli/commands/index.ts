// Every CLI command, by name. Each module exports a `run(argv)` and a one-line summary.
import * as simulate from "./simulate";
import * as importCommand from "./import";

export type Command = { summary: string; run(argv: string[]): Promise<void> };

export const commands: Record<string, Command> = {
  simulate,
};
commands.import = importCommand;
