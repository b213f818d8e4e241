"""k-fold cross-validation over a folder (images/, masks/): train each fold, tabulate metrics."""
from __future__ import annotations

import dataclasses
import json
import logging
import os
import time

from .atomic import atomic_write_bytes, atomic_write_json
from .data.folder import scan_folder
from .data.folds import make_folds, split
from .events import json_safe
from .metrics import Confusion, Evaluation, scores_with_ci
from .metrics.detection import detection_report
from .errors import SpecError
from .spec import TrainSpec, parse_spec
from .table import COLUMNS, format_detection, format_dice, format_table
from .train import run_training

log = logging.getLogger("tandem_trainer")
LEVELS = (
    ("pixel", "Infected-region segmentation, pixel level (%, ± 95% CI, cf. paper Table 2)"),
    ("image", "COVID-19 detection, image level (%, ± 95% CI, cf. paper Table 3)"),
)


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


# The spec keys the command line may set, and the option of each where its name differs.
SPEC_OPTIONS = (
    "preset pretrained width size epochs batch_size lr seed device augment steps select detection_sensitivity"
)
OPTION_FLAGS = {"pretrained": "weights", "detection_sensitivity": "target_sensitivity"}


def spec_template(args) -> TrainSpec:
    """The run settings from command-line options; a preset fills what the options leave out."""
    raw = {
        "arch": args.arch,
        "encoder": args.encoder,
        "train": [{"id": "x", "image": "x", "mask": None, "label": "control"}],
    }
    if getattr(args, "task", "segment") == "classify":
        raw = {"task": "classify", "arch": args.arch, "train": raw["train"]}
    for key in SPEC_OPTIONS.split():
        value = getattr(args, OPTION_FLAGS.get(key, key))
        if value is not None:
            raw[key] = value
    if args.freeze_encoder:
        raw["freeze_encoder"] = True
    for item in getattr(args, "set", None) or []:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise SpecError(f"--set expects KEY=VALUE, got {item!r}")
        try:
            raw[key] = json.loads(text)
        except json.JSONDecodeError:
            raw[key] = text
    return parse_spec(raw)


def _only_folds(args) -> set[int] | None:
    text = getattr(args, "only_folds", None)
    if not text:
        return None
    try:
        chosen = {int(part) for part in text.split(",") if part.strip()}
    except ValueError:
        raise SpecError(f"--only-folds expects fold numbers like 1,3,5, got {text!r}") from None
    if not chosen or not chosen <= set(range(1, args.folds + 1)):
        raise SpecError(f"--only-folds must name folds between 1 and {args.folds}, got {text!r}")
    return chosen


def _claim(fold_dir: str) -> bool:
    """True when this process is the first to claim the fold (an exclusive create)."""
    os.makedirs(fold_dir, exist_ok=True)
    try:
        os.close(os.open(os.path.join(fold_dir, ".claim"), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        return True
    except FileExistsError:
        return False


def _fold_metrics(spec: TrainSpec, fold_dir: str, events, reuse: bool) -> dict:
    path = os.path.join(fold_dir, "metrics.json")
    if reuse and os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            metrics = json.load(handle)
        if metrics.get("spec") != json.loads(json.dumps(json_safe(spec.public()))):
            raise SpecError(f"{path} was trained with other settings; remove it or run without --reuse")
        log.info("reusing %s", path)
        return metrics
    return run_training(spec, fold_dir, events, check=False)


def run_cv(args, events) -> dict | None:
    """None when --only-folds leaves some folds untrained (nothing to tabulate yet)."""
    template = spec_template(args)
    only = _only_folds(args)
    samples = scan_folder(args.data)
    folds = make_folds(samples, args.folds, template.seed)
    log.info("%d images (%d covid) in %d folds", len(samples), sum(s.positive for s in samples), args.folds)
    per_fold, oof, fold_ids = [], Evaluation(), []
    started = time.monotonic()
    for k in range(args.folds):
        train, test = split(folds, k)
        spec = dataclasses.replace(template, train=train, val=test)
        log.info("fold %d/%d: %d train, %d held out", k + 1, args.folds, len(train), len(test))
        fold_dir = os.path.join(args.out, f"fold_{k + 1}")
        done = os.path.exists(os.path.join(fold_dir, "metrics.json"))
        if getattr(args, "share", False) and not done and not _claim(fold_dir):
            per_fold.append(None)  # another process trains it
            continue
        if only is not None and k + 1 not in only:
            if os.path.exists(os.path.join(fold_dir, "metrics.json")):
                metrics = _fold_metrics(spec, fold_dir, events, reuse=True)
            else:
                per_fold.append(None)
                continue
        else:
            reuse = getattr(args, "reuse", False) or getattr(args, "share", False)
            metrics = _fold_metrics(spec, fold_dir, events, reuse=reuse)
        held_out = Evaluation.from_per_image(metrics["val_per_image"])
        oof.extend(held_out)
        fold_ids.extend([k + 1] * len(held_out.image_labels))
        per_fold.append(
            {
                "fold": k + 1,
                "test_ids": [s.id for s in test],
                "final": metrics["final"],
                "onnx": os.path.join(f"fold_{k + 1}", "model.onnx"),
                "seconds": metrics["seconds"],
                "steps_done": metrics["steps_done"],
                "selected_steps": metrics["selected_steps"],
            }
        )

    if any(f is None for f in per_fold):
        return None
    detection = detection_report(
        oof.largest,
        oof.image_labels,
        template.detection_sensitivity,
        "out-of-fold",
        presence=oof.presence_scores,
        folds=fold_ids,
    )
    for f in per_fold:  # every fold's model carries the rule calibrated on all out-of-fold predictions
        path = os.path.join(args.out, f"fold_{f['fold']}", "metrics.json")
        with open(path, encoding="utf-8") as handle:
            fold_metrics = json.load(handle)
        fold_metrics["detection_oof"] = detection
        atomic_write_json(path, json_safe(fold_metrics))
    result = {
        "arch": template.arch,
        "encoder": template.encoder,
        "settings": template.public(),
        "folds": per_fold,
        "levels": {},
        "detection": detection,
        "seconds": round(time.monotonic() - started, 1),
    }
    intervals = oof.intervals()
    tables = []
    for level, title in LEVELS:
        summaries = [f["final"][level] for f in per_fold]
        rows = [(f"fold {f['fold']}", f["final"][level]) for f in per_fold]
        mean, pooled = mean_summary(summaries), pooled_summary(summaries)
        for name, found in intervals[level].items():
            pooled[name]["boot"], pooled[name]["boot_method"] = found["interval"], found["method"]
        if level == "pixel":
            pooled["dice"] = intervals["dice"]
        rows += [("mean", mean), ("pooled", pooled)]
        result["levels"][level] = {"mean": mean, "pooled": pooled}
        tables.append(format_table(title, rows, with_ci=True))
    tables.append(format_dice(intervals["dice"]))
    tables.append(format_detection(detection))
    text = (
        f"{template.arch} / {template.encoder}, {args.folds} folds, preset {template.preset or '-'}, "
        f"{result['seconds'] / 60:.1f} min\n\n" + "\n\n".join(tables) + "\n"
    )
    atomic_write_json(os.path.join(args.out, "cv_metrics.json"), json_safe(result))
    atomic_write_bytes(os.path.join(args.out, "table.txt"), text.encode())
    result["text"] = text
    return result
