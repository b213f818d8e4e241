export type Network = { arch: string; encoder: string };

export type Blocker = { code: string; message: string; count?: number };

export type TrainConfig = {
  preset?: string | null;
  steps?: number;
  size: number;
  epochs: number;
  batchSize: number;
  lr: number;
  freezeEncoder: boolean;
  pretrained: string | null;
  width?: number;
};

/** Images predicted per predict job: big projects spread over many jobs and workers. */
export const PREDICT_CHUNK = 500;
