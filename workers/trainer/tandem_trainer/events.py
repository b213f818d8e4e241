"""Progress reporting: JSON lines for the worker, readable lines for people."""
from __future__ import annotations

import json
import logging
import math
import os
import sys
from typing import IO

log = logging.getLogger("tandem_trainer")


def json_safe(value):
    """Replace NaN/inf (not valid JSON) with null, recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


class JsonEvents:
    """One JSON object per line: {"type": ..., ...}."""

    def __init__(self, stream: IO[str]):
        self.stream = stream

    def emit(self, type_: str, **fields) -> None:
        line = json.dumps({"type": type_, **json_safe(fields)}, allow_nan=False)
        self.stream.write(line + "\n")
        self.stream.flush()


class HumanEvents:
    """Same calls as JsonEvents, printed as short log lines on stderr."""

    def emit(self, type_: str, **fields) -> None:
        if type_ == "progress":
            if fields["step"] == fields["steps"]:
                log.info(
                    "epoch %d/%d loss %.4f eta %.0fs",
                    fields["epoch"],
                    fields["epochs"],
                    fields["loss"],
                    fields["eta_s"],
                )
        elif type_ == "epoch":
            log.info(
                "epoch %d done: train loss %.4f%s",
                fields["epoch"],
                fields["train_loss"],
                "" if fields.get("val") is None else f", val loss {fields['val']['loss']:.4f}",
            )
        else:
            log.info("%s %s", type_, {k: v for k, v in fields.items() if k != "metrics"})


def claim_stdout_for_events() -> JsonEvents:
    """Keep the real stdout for JSON lines only; anything else printed to fd 1 goes to stderr.

    Libraries (the ONNX exporter among them) sometimes print to stdout, which would corrupt
    the JSON-lines stream the worker parses.
    """
    sys.stdout.flush()
    private = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return JsonEvents(os.fdopen(private, "w", buffering=1))


def setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
    )
