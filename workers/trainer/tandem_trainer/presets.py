"""Training presets chosen by compute: the one definition of each preset.

`python -m tandem_trainer presets` prints them as JSON; presets.json beside this package is
that output, committed so the TypeScript side (settings, CLI, dashboard) validates against
the same names and values (a test keeps the two equal).

A preset only fills spec keys the spec leaves out; anything given explicitly wins.
"""
from __future__ import annotations

import json
import os

PRESETS: dict[str, dict] = {
    "cpu-small": {
        "title": "CPU, small data",
        "compute": "cpu",
        "description": (
            "A few dozen to a few thousand images on a 2-core CPU in at most about 20 minutes: "
            "the compact residual encoder under each decoder, 96 px, a budget of 1,800 optimizer steps (at most 150 passes over small data) "
            "with warm-up and cosine decay, shift/rotation "
            "plus intensity/gamma augmentation and left-right mirroring on every image, the checkpoint "
            "with the best Dice on a 10% monitor split of the training images, early stopping; the "
            "model averages its prediction with the mirrored image's and binarises at the threshold "
            "that does best on the monitor split."
        ),
        "recommended_encoder": "compact",
        "settings": {
            "size": 96,
            "batch_size": 16,
            "lr": 3e-3,
            "steps": 1800,
            "max_epochs": 150,
            "warmup_steps": 60,
            "schedule": "cosine",
            "augment": "all",
            "intensity": True,
            "flip": True,
            "flip_tta": True,
            "monitor_threshold": True,
            "select": "best_dice",
            "monitor_fraction": 0.1,
            "eval_every": 100,
            "patience": 4,
            "width": 8,
        },
    },
    "paper-gpu": {
        "title": "GPU, the paper's settings",
        "compute": "gpu",
        "description": (
            "The paper's recipe on a GPU: 224 px, Adam 1e-4, batch 32, 50 epochs, focal + "
            "Dice loss, COVID-19 images augmented (±10% shift, ±10° rotation) up to the "
            "number of controls, the last epoch kept."
        ),
        "recommended_encoder": "densenet121",
        "settings": {
            "size": 224,
            "batch_size": 32,
            "lr": 1e-4,
            "epochs": 50,
            "steps": None,
            "max_epochs": None,
            "warmup_steps": 0,
            "schedule": "constant",
            "augment": "balance",
            "intensity": False,
            "flip": False,
            "flip_tta": False,
            "monitor_threshold": False,
            "select": "last",
            "monitor_fraction": 0.0,
            "eval_every": None,
            "patience": None,
            "width": 16,
        },
    },
}

PRESETS_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "presets.json")


def presets_document() -> dict:
    from .models.pretrained import IMAGENET_FILES

    # torchvision names its files <name>-<first 8 hex digits of the file's SHA-256>.pth
    return {
        "format": 1,
        "presets": PRESETS,
        "classifier_presets": CLASSIFIER_PRESETS,
        "imagenet_files": {k: list(v) for k, v in IMAGENET_FILES.items()},
    }


def presets_json() -> str:
    return json.dumps(presets_document(), indent=2, sort_keys=True) + "\n"


# Image-level classifiers (task "classify"): kept apart so a classifier preset never fills a
# segmentation run. Settings read by train/classify.py.
CLASSIFIER_PRESETS: dict[str, dict] = {
    "cls-cpu-small": {
        "title": "Classifier, CPU, small data",
        "compute": "cpu",
        "description": (
            "Image-level COVID-19 vs control on a 2-core CPU: 128 px, batch 32, Adam 1e-3 with "
            "cosine decay over 12 passes, class-weighted loss, flips, shift/rotation and "
            "intensity augmentation on every image, the last epoch kept."
        ),
        "recommended_arch": "resnet18",
        "settings": {
            "size": 128,
            "batch_size": 32,
            "lr": 1e-3,
            "epochs": 12,
            "schedule": "cosine",
            "augment": "all",
            "intensity": True,
            "select": "last",
            "warmup_steps": 0,
        },
    },
    "cls-paper-gpu": {
        "title": "Classifier, GPU, Deep-COVID's settings",
        "compute": "gpu",
        "description": (
            "Deep-COVID's recipe: 224 px, fine-tuned from ImageNet weights when present "
            "(--weights imagenet), Adam 1e-4, batch 20, 100 epochs, COVID-19 images augmented "
            "(flip, small rotation and shift) up to the number of controls plus a class-weighted "
            "loss, the last epoch kept."
        ),
        "recommended_arch": "resnet18",
        "settings": {
            "size": 224,
            "batch_size": 20,
            "lr": 1e-4,
            "epochs": 100,
            "schedule": "constant",
            "augment": "balance",
            "intensity": False,
            "select": "last",
            "warmup_steps": 0,
        },
    },
}
