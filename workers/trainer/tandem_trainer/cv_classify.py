"""k-fold cross-validation of an image-level classifier over a folder (task "classify").

Folds come from data/folds.make_folds: grouped by patient when meta.csv names patients,
otherwise each image is its own group (and the report says so). Out-of-fold probabilities of
every image feed one threshold table with both intervals. With --test, every fold's model also
predicts a separate folder; the mean of their probabilities is scored there (no retraining).
A manifest.csv with a 'class' column in the data folder gives specificity per control class.
"""
from __future__ import annotations

import csv
import dataclasses
import os
import time

import numpy as np

from .atomic import atomic_write_bytes, atomic_write_json
from .cv import spec_template
from .data.dataset import SegmentationDataset
from .data.folder import scan_folder
from .data.folds import make_folds, split
from .errors import DataError
from .events import json_safe
from .metrics.activation import summarise_agreement
from .metrics.classification import classification_report, specificity_on
from .models import GrayToImageNet
from .models.classifiers import create_classifier
from .train.classify import check_classes, predict_set, run_classification

MIN_PER_FOLD = 2  # images of each class every held-out fold must have


def check_folds(folds, k: int) -> None:
    for n, fold in enumerate(folds, start=1):
        pos = sum(s.positive for s in fold)
        if pos < MIN_PER_FOLD or len(fold) - pos < MIN_PER_FOLD:
            raise DataError(
                f"too few images per fold: fold {n} of {k} holds {pos} COVID-19 and "
                f"{len(fold) - pos} control images; each needs at least {MIN_PER_FOLD} of both "
                "(use fewer folds or add images)"
            )


def read_classes(root: str) -> dict[str, str]:
    path = os.path.join(root, "manifest.csv")
    if not os.path.isfile(path):
        return {}
    with open(path, newline="") as handle:
        return {row["id"]: row["class"] for row in csv.DictReader(handle) if row.get("class")}


def by_class(ids, probs, labels, classes: dict) -> dict:
    names = sorted({classes[i] for i, lab in zip(ids, labels) if not lab and i in classes})
    return {name: specificity_on(probs, labels, [classes.get(i) == name for i in ids]) for name in names}


def report_text(title: str, report: dict, extra: dict) -> str:
    def pct(v):
        return "-" if v is None else f"{100 * v:.1f}"

    def iv(i):
        return "-" if not i else f"[{pct(i[0])}, {pct(i[1])}]"

    def aiv(i):
        return "-" if not i else f"[{i[0]:.3f}, {i[1]:.3f}]"

    auc, ap = report["roc_auc"], report["average_precision"]
    lines = [
        title,
        f"  N={report['n']} ({report['positives']} COVID-19, {report['negatives']} control); "
        f"ROC AUC {auc['value']:.3f} {aiv(auc['boot'])}; PR AUC (AP) {ap['value']:.3f} {aiv(ap['boot'])}",
        "  thr   sensitivity % (paper CI) [bootstrap]     specificity % (paper CI) [bootstrap]    TP  FN  TN  FP",
    ]
    for row in report["table"]:
        s, p, c = row["sensitivity"], row["specificity"], row["confusion"]
        lines.append(
            f"  {row['threshold']:.1f}  {pct(s['value']):>5} {iv(s['paper']):>14} {iv(s['boot']):>14}   "
            f"{pct(p['value']):>5} {iv(p['paper']):>14} {iv(p['boot']):>14}  {c['tp']:>4} {c['fn']:>3} "
            f"{c['tn']:>3} {c['fp']:>3}"
        )
    for name, spec in extra.items():
        lines.append(
            f"  specificity at 0.5 on {name} controls: {pct(spec['value'])}% of {spec['n']} "
            f"(paper CI {iv(spec['paper'])}, Wilson {iv(spec['wilson'])})"
        )
    return "\n".join(lines)


def run_cv_classify(args, events) -> dict:
    template = dataclasses.replace(spec_template(args), task="classify")
    samples = scan_folder(args.data)
    check_classes(samples, args.data)
    grouped = any(s.patient for s in samples)
    folds = make_folds(samples, args.folds, template.seed)
    check_folds(folds, args.folds)
    classes = read_classes(args.data)
    test = scan_folder(args.test) if getattr(args, "test", None) else []
    started = time.monotonic()
    oof, per_fold, test_probs = {}, [], []
    for k in range(args.folds):
        train, held = split(folds, k)
        out = os.path.join(args.out, f"fold_{k + 1}")
        metrics = run_classification(dataclasses.replace(template, train=train, val=held), out, events, check=False)
        for row in metrics["val_per_image"]:
            oof[row["id"]] = row
        per_fold.append(
            {
                "fold": k + 1,
                "test_ids": [s.id for s in held],
                "seconds": metrics["seconds"],
                "roc_auc": metrics["final"]["classification"]["roc_auc"]["value"],
                "onnx": os.path.join(f"fold_{k + 1}", "model.onnx"),
            }
        )
        if test:
            net = create_classifier(template.arch, pretrained=os.path.join(out, "last.pt"))
            probs, _ = predict_set(
                net, GrayToImageNet(), SegmentationDataset(test, template.size), "cpu", template.batch_size
            )
            test_probs.append(probs)
    ids = [s.id for s in samples]
    probs = np.array([oof[i]["prob"] for i in ids])
    labels = np.array([int(s.positive) for s in samples])
    report = classification_report(probs, labels)
    extra = by_class(ids, probs, labels, classes)
    result = {
        "task": "classify",
        "arch": template.arch,
        "settings": template.public(),
        "folds": per_fold,
        "grouping": "patient" if grouped else "image (no patient metadata)",
        "out_of_fold": report,
        "control_classes": extra,
        "activation_agreement": summarise_agreement([oof[i]["agreement"] for i in ids]),
        "per_image": [
            {"id": i, "label": int(lab), "prob": float(p), "class": classes.get(i), "agreement": oof[i]["agreement"]}
            for i, lab, p in zip(ids, labels, probs)
        ],
        "seconds": round(time.monotonic() - started, 1),
    }
    text = [
        f"{template.arch} classifier, {args.folds} folds by {result['grouping']}, preset "
        f"{template.preset or '-'}, weights {template.pretrained or 'random init'}, {result['seconds'] / 60:.1f} min",
        report_text("Out-of-fold, COVID-19 vs control", report, extra),
    ]
    agreement = result["activation_agreement"]
    if agreement["n"]:
        text.append(
            f"CAM vs infection masks over {agreement['n']} COVID-19 images: energy inside the mask "
            f"{100 * agreement['energy_inside']:.1f}% (mask covers {100 * agreement['mask_fraction']:.1f}%), "
            f"pointing game {100 * agreement['pointing']:.1f}%"
        )
    if test:
        test_ids, test_labels = [s.id for s in test], np.array([int(s.positive) for s in test])
        mean_probs = np.mean(test_probs, axis=0)
        test_classes = read_classes(args.test)
        result["test"] = {
            "folder": args.test,
            "report": classification_report(mean_probs, test_labels),
            "control_classes": by_class(test_ids, mean_probs, test_labels, test_classes),
            "fold_aucs": [classification_report(p, test_labels, resamples=1)["roc_auc"]["value"] for p in test_probs],
            "per_image": [
                {"id": i, "label": int(lab), "prob": float(p)} for i, lab, p in zip(test_ids, test_labels, mean_probs)
            ],
        }
        text.append(
            report_text(
                f"Test folder {args.test} (mean of the {args.folds} fold models' probabilities)",
                result["test"]["report"],
                result["test"]["control_classes"],
            )
        )
    result["text"] = "\n\n".join(text) + "\n"
    atomic_write_json(os.path.join(args.out, "cv_metrics.json"), json_safe(result))
    atomic_write_bytes(os.path.join(args.out, "table.txt"), result["text"].encode())
    return result
