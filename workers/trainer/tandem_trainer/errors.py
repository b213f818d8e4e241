"""Errors that the CLI reports as one JSON line instead of a traceback."""


class TandemError(Exception):
    """A problem the user can fix (bad spec, bad data, missing weights)."""


class SpecError(TandemError):
    """The job spec is malformed or points at unusable files."""


class DataError(TandemError):
    """An image or mask cannot be used (missing, unreadable, oversized, mismatched)."""


class WeightsError(TandemError):
    """Pretrained weights are unavailable, unsafe to load, or do not fit the model."""
