"""posezoo's image classification datasets, registered into mmpretrain's registries.

Importing this package registers ``FER2013`` and ``LeapGestRecog`` (``DATASETS``) and
``ToGrayscale`` (``TRANSFORMS``) into mmpretrain, for configs with ``default_scope='mmpretrain'``.
"""
from .fer2013 import FER2013, FER2013_CLASSES, iter_fer2013_rows, parse_fer2013_pixels
from .leapgestrecog import LEAPGESTRECOG_CLASSES, LEAPGESTRECOG_SUBJECTS, LeapGestRecog
from .transforms import ToGrayscale

__all__ = [
    'FER2013', 'FER2013_CLASSES', 'iter_fer2013_rows', 'parse_fer2013_pixels', 'LeapGestRecog',
    'LEAPGESTRECOG_CLASSES', 'LEAPGESTRECOG_SUBJECTS', 'ToGrayscale'
]
