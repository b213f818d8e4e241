import type { SplitAssignment } from "./splits";
import type { ExportItem } from "./types";
import { foldNumber } from "../ml/fold";

const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

/** Counts for the datasheet, gathered as items stream past (a few small maps, never the items). */
export class ExportStats {
  images = 0;
  emptyMasks = 0;
  dicom = 0;
  votedImages = 0;
  votes = 0;
  agreementSum = 0;
  latestAcceptance: Date | null = null;
  readonly byLabel = new Map<string, number>();
  readonly bySource = new Map<string, number>();
  readonly bySplit = new Map<string, number>();
  readonly byFold = new Map<string, number>();
  readonly byWinner = new Map<string, number>();
  readonly byRound = new Map<string, number>();

  add(item: ExportItem, split: SplitAssignment, hasDicom: boolean): void {
    this.images++;
    if (!item.mask || item.mask.area === 0) this.emptyMasks++;
    if (hasDicom) this.dicom++;
    if (item.votes > 0) {
      this.votedImages++;
      this.votes += item.votes;
      this.agreementSum += item.agreeing / item.votes;
    }
    if (!this.latestAcceptance || item.acceptedAt > this.latestAcceptance) this.latestAcceptance = item.acceptedAt;
    bump(this.byLabel, item.label);
    bump(this.bySource, item.source ?? "(none)");
    bump(this.bySplit, split.split);
    if (split.fold !== null) bump(this.byFold, String(foldNumber(split.fold)));
    bump(this.byWinner, item.sourceKind);
    bump(this.byRound, item.round === null ? "by label" : `${item.round}`);
  }
}
