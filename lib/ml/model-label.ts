/** "unet/densenet121 fold 2 · Stage I round 1": how a trained model is named in menus. */
import { foldLabel } from "./fold";

export function modelLabel(r: {
  arch: string;
  encoder: string;
  fold: number | null;
  round: { number: number; stage: string } | null;
}): string {
  const where = r.round
    ? `${r.round.stage === "STAGE_I" ? "Stage I" : "Stage II"} round ${r.round.number}`
    : "no round";
  return `${r.arch}/${r.encoder}${r.fold !== null ? ` ${foldLabel(r.fold)}` : ""} · ${where}`;
}
