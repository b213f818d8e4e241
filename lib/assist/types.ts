/** A click in native image pixels; positive adds to the mask, negative removes. */
export type Click = { x: number; y: number; positive: boolean };

/** What a trained interactive model needs besides its ONNX bytes (the trainer's meta.json). */
export type ClickModelMeta = { size: number; clickRadiusFraction: number; minClickRadius: number; version: string };

/** The Smart tool's settings for a task: the model version, and what the browser needs to run it. */
export type AssistStatus = {
  modelVersion: number | null;
  browser: {
    url: string;
    sha256: string;
    size: number;
    clickRadiusFraction: number;
    minClickRadius: number;
    runtime: { entry: string; base: string };
  } | null;
};
