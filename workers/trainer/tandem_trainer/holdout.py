"""Train on one folder, test on another: the trained model's metrics on a separate test set.

Checkpoint selection and the detection rule's calibration use the monitor split of the
training folder (when the settings hold one back), never the test folder.
"""
from __future__ import annotations

import dataclasses
import os
import time

from .atomic import atomic_write_bytes, atomic_write_json
from .cv import LEVELS, spec_template
from .data.folder import scan_folder
from .events import json_safe
from .metrics.detection import apply_rule
from .table import format_detection, format_dice, format_table
from .train import run_training


def run_holdout(args, events) -> dict:
    template = spec_template(args)
    train, test = scan_folder(args.data), scan_folder(args.test)
    overlap = {s.id for s in train} & {s.id for s in test}
    if overlap:
        raise ValueError(f"{len(overlap)} image ids are in both folders, e.g. {sorted(overlap)[0]!r}")
    started = time.monotonic()
    metrics = run_training(dataclasses.replace(template, train=train, val=test), args.out, events, check=False)
    final, detection = metrics["final"], metrics["detection"]
    test_detection = None
    if detection and detection.get("calibrated"):
        per_image = metrics["val_per_image"]
        test_detection = {
            **detection,
            "source": f"{detection['source']} (rule), test (rates)",
            "paper_rule": {
                **detection["paper_rule"],
                **apply_rule(per_image["largest"], per_image["labels"], detection["paper_rule"]),
            },
            "calibrated": {
                **detection["calibrated"],
                **apply_rule(
                    per_image["largest"],
                    per_image["labels"],
                    detection["calibrated"],
                    presence=per_image.get("presence"),
                ),
            },
            "component": None,
            "presence_rule": None,
            "presence_table": None,
            "nested": None,
            "table": [],
        }
    minutes = (time.monotonic() - started) / 60
    tables = [format_table(title, [("test", final[level])], with_ci=True) for level, title in LEVELS]
    tables.append(format_dice(final["pixel"].get("dice")))
    if detection:
        tables.append(format_detection(detection))
    if test_detection:
        tables.append(format_detection(test_detection))
    text = (
        f"{template.arch} / {template.encoder}, trained on {len(train)} images, tested on {len(test)}, "
        f"preset {template.preset or '-'}, {metrics['steps_done']} steps (best at {metrics['selected_steps']}), "
        f"{minutes:.1f} min\n\n" + "\n\n".join(tables) + "\n"
    )
    result = {
        "settings": template.public(),
        "levels": {lvl: final[lvl] for lvl, _ in LEVELS},
        "detection": detection,
        "test_detection": test_detection,
        "minutes": round(minutes, 2),
        "steps_done": metrics["steps_done"],
        "selected_steps": metrics["selected_steps"],
    }
    atomic_write_json(os.path.join(args.out, "holdout_metrics.json"), json_safe(result))
    atomic_write_bytes(os.path.join(args.out, "table.txt"), text.encode())
    result["text"] = text
    return result
