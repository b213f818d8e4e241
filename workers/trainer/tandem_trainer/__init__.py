"""Tandem trainer: segmentation networks, losses, metrics, data and the training CLI.

The TypeScript worker runs `python -m tandem_trainer train --spec spec.json --out dir`
and reads JSON-lines progress from stdout; see README.md for the formats.
"""

__version__ = "0.1.0"
