"""k-fold cross-validation over a folder (images/, masks/): train each fold, tabulate metrics."""
from __future__ import annotations

import logging
import os

from .atomic import atomic_write_bytes, atomic_write_json
from .data.folder import scan_folder
from .data.folds import make_folds, split
from .events import json_safe
from .metrics import Confusion, scores_with_ci
from .spec import TrainSpec
from .table import COLUMNS, format_table
from .train import run_training

log = logging.getLogger("tandem_trainer")
LEVELS = (("pixel", "Infected-region segmentation, pixel level (%, ± 95% CI, cf. paper Table 2)"),
          ("image", "COVID-19 detection, image level (%, ± 95% CI, cf. paper Table 3)"))


def mean_summary(summaries: list[dict]) -> dict:
    """Average of each metric over folds (undefined values skipped); no CI."""
    out = {}
    for key in [k for k, _ in COLUMNS]:
        values = [s[key]["value"] for s in summaries if s[key]["value"] is not None]
        out[key] = {"value": sum(values) / len(values) if values else None, "ci": None}
    aucs = [s["roc_auc"] for s in summaries if s.get("roc_auc") is not None]
    out["roc_auc"] = sum(aucs) / len(aucs) if aucs else None
    return out


def pooled_summary(summaries: list[dict]) -> dict:
    """Metrics of the confusion matrix accumulated over folds, CI with the pooled N (as the paper);
    the AUC shown is the folds' mean."""
    total = Confusion(0, 0, 0, 0)
    for s in summaries:
        total += Confusion(**s["confusion"])
    return {"confusion": total.as_dict(), **scores_with_ci(total), "roc_auc": mean_summary(summaries)["roc_auc"]}


def run_cv(args, events) -> dict:
    samples = scan_folder(args.data)
    folds = make_folds(samples, args.folds, args.seed)
    log.info("%d images (%d covid) in %d folds", len(samples), sum(s.positive for s in samples), args.folds)
    per_fold = []
    for k in range(args.folds):
        train, test = split(folds, k)
        spec = TrainSpec(arch=args.arch, encoder=args.encoder, train=train, val=test,
                         pretrained=args.weights, freeze_encoder=args.freeze_encoder, width=args.width,
                         size=args.size, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                         seed=args.seed, device=args.device, augment=args.augment)
        log.info("fold %d/%d: %d train, %d held out", k + 1, args.folds, len(train), len(test))
        metrics = run_training(spec, os.path.join(args.out, f"fold_{k + 1}"), events, check=False)
        per_fold.append({"fold": k + 1, "test_ids": [s.id for s in test], "final": metrics["final"],
                         "onnx": os.path.join(f"fold_{k + 1}", "model.onnx")})

    result = {"arch": args.arch, "encoder": args.encoder, "folds": per_fold, "levels": {}}
    tables = []
    for level, title in LEVELS:
        summaries = [f["final"][level] for f in per_fold]
        rows = [(f"fold {f['fold']}", f["final"][level]) for f in per_fold]
        mean, pooled = mean_summary(summaries), pooled_summary(summaries)
        rows += [("mean", mean), ("pooled", pooled)]
        result["levels"][level] = {"mean": mean, "pooled": pooled}
        tables.append(format_table(title, rows, with_ci=True))
    text = f"{args.arch} / {args.encoder}, {args.folds} folds\n\n" + "\n\n".join(tables) + "\n"
    atomic_write_json(os.path.join(args.out, "cv_metrics.json"), json_safe(result))
    atomic_write_bytes(os.path.join(args.out, "table.txt"), text.encode())
    result["text"] = text
    return result
