"""A labelled training sample as given by the job spec."""
from __future__ import annotations

from dataclasses import dataclass

COVID, CONTROL = "covid", "control"
LABELS = (COVID, CONTROL)


@dataclass(frozen=True)
class Sample:
    id: str
    image: str
    mask: str | None
    label: str
    patient: str | None = None

    @property
    def positive(self) -> bool:
        return self.label == COVID

    @property
    def group(self) -> str:
        """Patient for fold grouping; an image without one is its own patient."""
        return self.patient if self.patient else f"image:{self.id}"
