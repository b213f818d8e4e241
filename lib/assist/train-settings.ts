// Recipe for the project's click model: the one `npm run bench interactive` measures (about
// 10 minutes for 36 masks on 2 busy CPU cores). INTERACTIVE_TRAIN_EPOCHS / INTERACTIVE_TRAIN_SIZE
// override it (tests use a tiny one).
export function interactiveTrainSettings() {
  const epochs = Number(process.env.INTERACTIVE_TRAIN_EPOCHS ?? 32);
  const size = Number(process.env.INTERACTIVE_TRAIN_SIZE ?? 96);
  return { size, epochs, batch_size: 4, lr: 1e-3, seed: 0, device: "auto", max_clicks: 4 };
}
