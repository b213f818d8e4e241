// Every CLI command, by name. Each module exports a `run(argv)` and a one-line summary.
import * as clickModel from "./click-model";
import * as evaluate from "./evaluate";
import * as exportCommand from "./export";
import * as importCommand from "./import";
import * as project from "./project";
import * as simulate from "./simulate";
import * as train from "./train";
import * as user from "./user";
import * as weights from "./weights";

export type Command = { summary: string; run(argv: string[]): Promise<void> };

export const commands: Record<string, Command> = {
  import: importCommand,
  export: exportCommand,
  project,
  user,
  simulate,
  evaluate,
  train,
  weights,
  "click-model": clickModel,
};
