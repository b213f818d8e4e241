"""Throttled progress events with an ETA over the whole run."""
from __future__ import annotations

import time


class ProgressReporter:
    def __init__(self, events, epochs: int, steps_per_epoch: int, min_interval_s: float = 1.0):
        self.events, self.epochs, self.steps = events, epochs, steps_per_epoch
        self.min_interval_s = min_interval_s
        self.started = time.monotonic()
        self.last_emit = float("-inf")
        self.done_steps = 0

    def step(self, epoch: int, step: int, loss: float) -> None:
        self.done_steps += 1
        now = time.monotonic()
        if step not in (1, self.steps) and now - self.last_emit < self.min_interval_s:
            return
        self.last_emit = now
        remaining = self.epochs * self.steps - self.done_steps
        eta = (now - self.started) / self.done_steps * remaining
        self.events.emit(
            "progress",
            epoch=epoch,
            epochs=self.epochs,
            step=step,
            steps=self.steps,
            loss=round(loss, 6),
            eta_s=round(eta, 1),
        )
