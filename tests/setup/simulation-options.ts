import type { SimulationOptions } from "../../cli/simulation/run-simulation";
import { tinyNetworks } from "./protocol";

/**
 * A small headless simulation (tiny U-Net and DLA, 2 folds, one epoch at 64², one Stage-II
 * round, stub models): each test overrides what it studies.
 */
export function smallSimulation(
  images: SimulationOptions["images"],
  overrides: Partial<SimulationOptions> = {},
): SimulationOptions {
  return {
    images,
    s1Size: 4,
    folds: 2,
    stage1Archs: tinyNetworks("unet", "dla"),
    stage2Networks: tinyNetworks("unet", "dla"),
    train: { size: 64, epochs: 1, batchSize: 8, lr: 3e-3, width: 8 },
    maxStage2Rounds: 1,
    seed: 5,
    models: { kind: "stub", quality: 1 },
    bootstrapReps: 200,
    log: () => undefined,
    ...overrides,
  };
}
