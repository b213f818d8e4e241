"""python -m tandem_trainer.interactive train --spec spec.json --out outdir (JSON lines on stdout)."""
from __future__ import annotations

import argparse
import sys

from ..cli import _guarded
from ..events import claim_stdout_for_events, setup_logging


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tandem_trainer.interactive")
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train the click model from a spec")
    train.add_argument("--spec", required=True)
    train.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    setup_logging(False)

    def action(events):
        from .spec import load_interactive_spec
        from .train import run_interactive

        run_interactive(load_interactive_spec(args.spec), args.out, events)

    return _guarded(claim_stdout_for_events(), action)


if __name__ == "__main__":
    sys.exit(main())
