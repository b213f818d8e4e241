"""Interactive (click-driven) segmentation: a network fed the image plus click maps.

python -m tandem_trainer.interactive train --spec spec.json --out outdir
"""
