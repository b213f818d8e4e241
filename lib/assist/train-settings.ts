// Recipe for the project's click model (a few minutes on 2 CPU cores for a few hundred masks).
// INTERACTIVE_TRAIN_EPOCHS / INTERACTIVE_TRAIN_SIZE override it (tests use a tiny one).
export function interactiveTrainSettings() {
  const epochs = Number(process.env.INTERACTIVE_TRAIN_EPOCHS ?? 30);
  const size = Number(process.env.INTERACTIVE_TRAIN_SIZE ?? 128);
  return { size, epochs, batch_size: 8, lr: 1e-3, seed: 0, device: "auto", max_clicks: 6 };
}
