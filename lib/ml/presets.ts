import "../zod-browser";
import { z } from "zod";
import presetsFile from "../../workers/trainer/presets.json";
import { archs, encoders } from "./networks";

// The trainer's registry (workers/trainer/tandem_trainer/presets.py) is the one definition;
// presets.json is its output. Parsed here so a change there that this side cannot use fails loudly.
const settingsSchema = z.object({
  size: z.number().int().min(32).multipleOf(32),
  batch_size: z.number().int().positive(),
  lr: z.number().positive().max(1),
  epochs: z.number().int().positive().optional(),
  steps: z.number().int().positive().nullable(),
  max_epochs: z.number().int().positive().nullable(),
  warmup_steps: z.number().int().min(0),
  schedule: z.enum(["constant", "cosine"]),
  augment: z.enum(["balance", "all", "none"]),
  intensity: z.boolean(),
  select: z.enum(["last", "best", "best_dice"]),
  monitor_fraction: z.number().min(0).max(0.5),
  eval_every: z.number().int().positive().nullable(),
  patience: z.number().int().positive().nullable(),
  width: z.number().int().positive(),
});

const presetSchema = z.object({
  title: z.string(),
  compute: z.enum(["cpu", "gpu"]),
  description: z.string(),
  recommended_encoder: z.enum(encoders),
  settings: settingsSchema,
});

const fileSchema = z.object({
  format: z.literal(1),
  presets: z.record(z.string(), presetSchema),
  /** Image-level classifiers (task "classify"); their settings are the trainer's to check. */
  classifier_presets: z
    .record(
      z.string(),
      z.object({ title: z.string(), compute: z.enum(["cpu", "gpu"]), description: z.string() }).passthrough(),
    )
    .default({}),
  /** torchvision ImageNet files per encoder: <name>-<first 8 hex of the SHA-256>.pth */
  imagenet_files: z.record(z.string(), z.array(z.string().regex(/^[\w.]+-[0-9a-f]{8}\.pth$/)).min(1)),
});

export type TrainingPreset = z.infer<typeof presetSchema> & { name: string };

const parsed = fileSchema.parse(presetsFile);
export const trainingPresets: readonly TrainingPreset[] = Object.entries(parsed.presets).map(([name, p]) => ({
  name,
  ...p,
}));
export const imagenetFiles: Readonly<Record<string, readonly string[]>> = parsed.imagenet_files;
export const trainingPresetNames = trainingPresets.map((p) => p.name) as [string, ...string[]];
export const classifierPresetNames = Object.keys(parsed.classifier_presets);
/** The classifier presets as the training form lists them. */
export const classifierPresets = Object.entries(parsed.classifier_presets).map(([name, p]) => ({
  name,
  title: p.title,
  compute: p.compute,
  description: p.description,
}));

export function trainingPreset(name: string): TrainingPreset {
  const found = trainingPresets.find((p) => p.name === name);
  if (!found) throw new Error(`unknown training preset "${name}"; choose one of ${trainingPresetNames.join(", ")}`);
  return found;
}

/**
 * The preset a new project starts with on this compute: the registry's first preset for it
 * (a CPU-only install gets the small-data CPU preset, not the paper's GPU one).
 */
export function defaultPresetFor(compute: "cpu" | "gpu"): TrainingPreset {
  return trainingPresets.find((p) => p.compute === compute) ?? trainingPresets[0];
}

/** A project's training settings as the preset defines them (the lead may change any later). */
export function presetTrainConfig(name: string) {
  const { settings } = trainingPreset(name);
  return {
    preset: name,
    size: settings.size,
    epochs: settings.epochs ?? 50,
    batchSize: settings.batch_size,
    lr: settings.lr,
    width: settings.width,
    ...(settings.steps ? { steps: settings.steps } : {}),
    freezeEncoder: false,
    pretrained: null,
  };
}

/**
 * The networks a new project trains under a preset when it names none of its own: a GPU preset
 * keeps the paper's (the schema's default), a CPU preset puts its recommended encoder under every
 * decoder, since the paper's DenseNet-121 would take hours per fold on 2 cores.
 */
type Network = { arch: string; encoder: string };
export function presetNetworks(name: string): { stage1Archs?: Network[]; stage2Networks?: Network[] } {
  const preset = trainingPreset(name);
  if (preset.compute === "gpu") return {};
  const networks = archs.map((arch) => ({ arch, encoder: preset.recommended_encoder }));
  return { stage1Archs: networks, stage2Networks: networks };
}

/** "CPU, small data (cpu-small)", or "custom" for settings without a preset. */
export function trainingPresetLabel(trainConfig: unknown): string {
  const name = (trainConfig as { preset?: unknown } | null)?.preset;
  const found = typeof name === "string" ? trainingPresets.find((p) => p.name === name) : undefined;
  return found ? `${found.title} (${found.name})` : "custom";
}
