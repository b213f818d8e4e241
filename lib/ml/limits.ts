/** The most models one analysis runs at once: the analyse form stops there and the API refuses more. */
export const MAX_ANALYSE_MODELS = 8;
