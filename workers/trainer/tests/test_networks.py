import subprocess
import sys

import pytest

from tandem_trainer.cli import build_parser
from tandem_trainer.models.encoders import ENCODERS
from tandem_trainer.models.registry import ARCHS, create_model
from tandem_trainer.networks import NETWORKS_FILE, networks_json, published_networks


def test_committed_networks_file_is_the_registry():
    with open(NETWORKS_FILE, encoding="utf-8") as handle:
        assert (
            handle.read() == networks_json()
        ), "regenerate: python -m tandem_trainer networks > networks.tmp && mv networks.tmp networks.json"


def test_the_command_line_offers_exactly_the_registry():
    published = published_networks()
    assert published["architectures"] == list(ARCHS) and published["encoders"] == list(ENCODERS)
    args = build_parser(json_errors=False).parse_args(["cv", "--data", "d", "--arch", "dla", "--encoder", "tiny"])
    assert (args.arch, args.encoder) == ("dla", "tiny")
    defaults = build_parser(json_errors=False).parse_args(["cv", "--data", "d"])
    assert (defaults.arch, defaults.encoder) == (published["default"]["arch"], published["default"]["encoder"])


def test_an_unknown_architecture_is_refused_by_name():
    with pytest.raises(SystemExit):
        build_parser(json_errors=False).parse_args(["cv", "--data", "d", "--arch", "segnet"])
    with pytest.raises(ValueError, match="unknown arch 'segnet'"):
        create_model("segnet", "tiny")


def test_networks_command_prints_the_document():
    out = subprocess.run(
        [sys.executable, "-m", "tandem_trainer", "networks"], capture_output=True, text=True, check=True
    )
    assert out.stdout == networks_json()
