"""Table 8 of the QaTa-COV19 paper: (trainable, non-trainable) parameters in millions."""

# (arch, encoder) -> {"frozen": (trainable, non_trainable), "not_frozen": (trainable, non_trainable)}
TABLE8 = {
    ("unet", "chexnet"): {"frozen": (5.19, 6.96), "not_frozen": (12.06, 0.08563)},
    ("unet", "densenet121"): {"frozen": (5.19, 6.96), "not_frozen": (12.06, 0.08563)},
    ("unet", "inception_v3"): {"frozen": (8.15, 21.79), "not_frozen": (29.9, 0.03642)},
    ("unet", "resnet50"): {"frozen": (9.06, 23.50), "not_frozen": (32.51, 0.04756)},
    ("unetpp", "chexnet"): {"frozen": (7.53, 6.96), "not_frozen": (14.40, 0.08845)},
    ("unetpp", "densenet121"): {"frozen": (7.53, 6.96), "not_frozen": (14.40, 0.08845)},
    ("unetpp", "inception_v3"): {"frozen": (8.68, 21.79), "not_frozen": (30.43, 0.03923)},
    ("unetpp", "resnet50"): {"frozen": (10.88, 23.51), "not_frozen": (34.34, 0.05037)},
    ("dla", "chexnet"): {"frozen": (6.27, 6.96), "not_frozen": (13.15, 0.08845)},
    ("dla", "densenet121"): {"frozen": (6.27, 6.96), "not_frozen": (13.15, 0.08845)},
    ("dla", "inception_v3"): {"frozen": (7.20, 21.79), "not_frozen": (28.96, 0.03923)},
    ("dla", "resnet50"): {"frozen": (8.74, 23.51), "not_frozen": (32.2, 0.05037)},
}
