import logging
import os
import sys

import pytest
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

# Tiny tensors: one thread avoids OpenMP spin-waiting when the machine is busy.
torch.set_num_threads(1)
logging.getLogger("tandem_trainer").setLevel(logging.WARNING)


class Recorder:
    """Collects events like JsonEvents would emit them."""

    def __init__(self):
        self.events = []

    def emit(self, type_, **fields):
        self.events.append({"type": type_, **fields})

    def of(self, type_):
        return [e for e in self.events if e["type"] == type_]


@pytest.fixture
def recorder():
    return Recorder()
