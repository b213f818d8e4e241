import "../zod-browser";
import { z } from "zod";
import networksFile from "../../workers/trainer/networks.json";

// The trainer's registry (workers/trainer/tandem_trainer/models/registry.py) is the one list of
// architectures and encoders; networks.json is its output (kept equal by the trainer's
// tests/test_networks.py). Parsed here so a file this side cannot use fails loudly. A list the
// trainer adds later (e.g. "classifiers") is one more key in the schema.
const name = z.string().regex(/^[a-z][a-z0-9_]*$/);
const fileSchema = z.object({
  format: z.literal(1),
  architectures: z.array(name).min(1),
  encoders: z.array(name).min(1),
  classifiers: z.array(name).min(1),
  default: z.object({ arch: name, encoder: name }),
});

const parsed = fileSchema.parse(networksFile);
export const archs = parsed.architectures as [string, ...string[]];
export const encoders = parsed.encoders as [string, ...string[]];
export const classifierArchs = parsed.classifiers as [string, ...string[]];
export const defaultNetwork = parsed.default;
