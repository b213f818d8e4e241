"""python -m tandem_trainer {train,cv}."""
from __future__ import annotations

import argparse
import logging
import os
import sys

from .errors import TandemError
from .networks import networks_json, published_networks
from .presets import CLASSIFIER_PRESETS, PRESETS, presets_json
from .events import HumanEvents, JsonEvents, claim_stdout_for_events, setup_logging

log = logging.getLogger("tandem_trainer")


class _JsonErrorParser(argparse.ArgumentParser):
    """For `train`: argument errors also reach the worker as a JSON error line."""

    def error(self, message):
        self.print_usage(sys.stderr)
        JsonEvents(sys.stdout).emit("error", message=f"bad arguments: {message}")
        sys.exit(2)


def build_parser(json_errors: bool) -> argparse.ArgumentParser:
    cls = _JsonErrorParser if json_errors else argparse.ArgumentParser
    parser = cls(prog="python -m tandem_trainer", description="Tandem segmentation trainer")
    parser.add_argument("-v", "--verbose", action="store_true")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=cls)

    train = commands.add_parser("train", help="train from a job spec (JSON-lines progress on stdout)")
    train.add_argument("--spec", required=True, help="spec.json")
    train.add_argument("--out", required=True, help="output folder")

    cv = commands.add_parser("cv", help="k-fold cross-validation over a folder with images/ and masks/")
    cv.add_argument("--data", required=True, help="folder with images/<id>.png, masks/<id>.png, optional meta.csv")
    cv.add_argument("--folds", type=int, default=5)
    cv.add_argument("--task", default="segment", choices=["segment", "classify"])
    cv.add_argument("--test", default=None, help="classify: a folder every fold's model also predicts")
    cv.add_argument(
        "--only-folds",
        default=None,
        help="segment: train only these folds (e.g. 1,3,5) so two processes can share the folds; "
        "tables follow once every fold's metrics.json is in --out",
    )
    cv.add_argument(
        "--reuse", action="store_true", help="segment: a fold whose metrics.json is in --out is read, not retrained"
    )
    cv.add_argument(
        "--share",
        action="store_true",
        help="segment: train only folds no other process has claimed (a .claim file in the fold's folder), "
        "so several processes on one --out split the folds; implies --reuse",
    )
    _run_options(cv, "cv_out")

    fit = commands.add_parser("fit", help="train on one folder, test on another (images/ and masks/ each)")
    fit.add_argument("--data", required=True, help="training folder")
    fit.add_argument("--test", required=True, help="test folder (never used for selection or calibration)")
    _run_options(fit, "fit_out")

    probe = commands.add_parser(
        "quantize-probe", help="int8 step 1: the model with every convolution's input and output as outputs"
    )
    probe.add_argument("--model", required=True, help="the float model.onnx")
    probe.add_argument("--out", required=True, help="where to write the calibration model")
    quant = commands.add_parser("quantize", help="int8 step 2: quantise with the ranges Node recorded")
    quant.add_argument("--model", required=True, help="the float model.onnx")
    quant.add_argument("--ranges", required=True, help="JSON {tensor: [min, max]} from the calibration run")
    quant.add_argument("--out", required=True, help="where to write the int8 model")

    commands.add_parser("presets", help="print the training presets as JSON")
    commands.add_parser("networks", help="print the architectures and encoders the trainer builds, as JSON")
    return parser


def _run_options(command, default_out: str) -> None:
    """Options shared by cv and fit; None = take the preset's value (or the spec default)."""
    command.add_argument("--preset", default=None, choices=sorted({**PRESETS, **CLASSIFIER_PRESETS}))
    networks = published_networks()
    command.add_argument(
        "--arch",
        default=networks["default"]["arch"],
        choices=[*networks["architectures"], *networks["classifiers"]],
        help="segmentation decoder, or with --task classify the classifier",
    )
    command.add_argument("--encoder", default=networks["default"]["encoder"], choices=networks["encoders"])
    command.add_argument("--epochs", type=int, default=None)
    command.add_argument("--steps", type=int, default=None, help="optimizer-step budget (overrides --epochs)")
    command.add_argument("--size", type=int, default=None)
    command.add_argument("--batch-size", type=int, default=None)
    command.add_argument("--lr", type=float, default=None)
    command.add_argument("--width", type=int, default=None)
    command.add_argument("--weights", default=None, help="'imagenet' (torchvision cache) or a weights file")
    command.add_argument("--freeze-encoder", action="store_true")
    command.add_argument("--augment", default=None, choices=["balance", "all", "none"])
    command.add_argument("--select", default=None, choices=["last", "best", "best_dice"])
    command.add_argument(
        "--target-sensitivity",
        type=float,
        default=None,
        help="sensitivity the calibrated detection rule must reach (default 0.95)",
    )
    command.add_argument("--device", default=None, choices=["auto", "cpu", "cuda"])
    command.add_argument("--seed", type=int, default=None)
    command.add_argument("--out", default=default_out)
    command.add_argument("--json", action="store_true", help="JSON-lines progress on stdout instead of logs")
    command.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="any other spec key (see the README), e.g. --set flip=true; checked like a spec file",
    )


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    json_mode = "train" in argv[:2] or "--json" in argv
    args = build_parser(json_errors=json_mode).parse_args(argv)
    setup_logging(args.verbose)
    if args.command != "presets":
        from .train.device import apply_thread_limit

        try:
            apply_thread_limit()
        except TandemError as exc:
            log.error("%s", exc)
            return 2
    if args.command == "train":
        return _guarded(claim_stdout_for_events(), lambda events: _train(args, events))
    if args.command == "presets":
        sys.stdout.write(presets_json())
        return 0
    if args.command == "networks":
        sys.stdout.write(networks_json())
        return 0
    if args.command in ("quantize-probe", "quantize"):
        return _guarded(JsonEvents(sys.stdout), lambda events: _quantize(args, events))
    action = _cv if args.command == "cv" else _fit
    return _guarded(JsonEvents(sys.stdout) if args.json else HumanEvents(), lambda events: action(args, events))


def _guarded(events, action) -> int:
    try:
        action(events)
        return 0
    except TandemError as exc:
        log.error("%s", exc)
        events.emit("error", message=str(exc))
        return 2
    except KeyboardInterrupt:
        events.emit("error", message="interrupted")
        return 130
    except Exception as exc:  # noqa: BLE001 - the worker needs a message, the log gets the traceback
        log.exception("training failed")
        events.emit("error", message=f"{type(exc).__name__}: {exc}")
        return 1


def _quantize(args, events) -> None:
    from . import quantize

    if args.command == "quantize-probe":
        events.emit("probe", tensors=quantize.probe(args.model, args.out))
    else:
        # TANDEM_INT8_FLOAT_SHARE overrides the share of multiply-adds kept float nearest the input.
        share = float(os.environ.get("TANDEM_INT8_FLOAT_SHARE", quantize.FLOAT_SHARE))
        events.emit("quantized", **quantize.apply(args.model, quantize.load_ranges(args.ranges), args.out, share))


def _train(args, events) -> None:
    from .spec import load_spec
    from .train import run_training

    spec = load_spec(args.spec)
    if spec.task == "classify":
        from .train.classify import run_classification

        run_classification(spec, args.out, events)
    else:
        run_training(spec, args.out, events)


def _cv(args, events) -> None:
    from .cv import run_cv

    if args.folds < 2:
        raise TandemError("--folds must be at least 2")
    if args.task == "classify":
        from .cv_classify import run_cv_classify

        result = run_cv_classify(args, events)
        if args.json:
            events.emit("cv_done", out=args.out, task="classify", report=result["out_of_fold"])
        else:
            print(result["text"])
        return
    result = run_cv(args, events)
    if result is None:
        print("folds trained; run again with --reuse once every fold is done for the tables")
        return
    if args.json:
        events.emit("cv_done", out=args.out, levels=result["levels"], detection=result["detection"])
    else:
        print(result["text"])


def _fit(args, events) -> None:
    from .holdout import run_holdout

    result = run_holdout(args, events)
    if args.json:
        events.emit("fit_done", out=args.out, levels=result["levels"], detection=result["detection"])
    else:
        print(result["text"])
