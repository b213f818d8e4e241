from .augment import apply_affine, augment_batch, random_affine
from .balance import AUGMENT_MODES, epoch_plan
from .dataset import ImageOnlyDataset, PlannedEpoch, SegmentationDataset
from .folder import scan_folder
from .folds import make_folds, split
from .images import read_gray, read_mask
from .samples import CONTROL, COVID, Sample

__all__ = [
    "AUGMENT_MODES",
    "CONTROL",
    "COVID",
    "ImageOnlyDataset",
    "PlannedEpoch",
    "Sample",
    "SegmentationDataset",
    "apply_affine",
    "augment_batch",
    "epoch_plan",
    "make_folds",
    "random_affine",
    "read_gray",
    "read_mask",
    "scan_folder",
    "split",
]
