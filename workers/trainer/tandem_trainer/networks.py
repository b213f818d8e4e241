"""The networks the trainer builds, published for the app.

models/registry.py is the one definition; networks.json beside this package is its output
(`python -m tandem_trainer networks` prints it, tests/test_networks.py keeps the committed file
equal to the registry). The app (lib/ml/networks.ts) and this package's command line read the
file, so neither needs torch to know the names. A new list (e.g. "classifiers") is one more key.
"""
from __future__ import annotations

import json
import os

NETWORKS_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "networks.json")


def networks_document() -> dict:
    from .models.classifiers import CLASSIFIERS
    from .models.encoders import ENCODERS
    from .models.registry import ARCHS, DEFAULT_ARCH, DEFAULT_ENCODER

    return {
        "format": 1,
        "architectures": list(ARCHS),
        "encoders": list(ENCODERS),
        "classifiers": list(CLASSIFIERS),
        "default": {"arch": DEFAULT_ARCH, "encoder": DEFAULT_ENCODER},
    }


def networks_json() -> str:
    return json.dumps(networks_document(), indent=2) + "\n"


def published_networks() -> dict:
    """The committed networks.json (no torch import)."""
    with open(NETWORKS_FILE, encoding="utf-8") as handle:
        return json.load(handle)
