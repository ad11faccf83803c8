"""posezoo's image classification datasets, registered into mmpretrain's registries.

Importing this package registers ``FER2013``, ``FER2013Folder`` and ``LeapGestRecog``
(``DATASETS``), ``ToGrayscale`` (``TRANSFORMS``) and ``ConfusionMatrixReport`` (``METRICS``) into
mmpretrain, for configs with ``default_scope='mmpretrain'``.
"""
from .confusion_metric import ConfusionMatrixReport
from .fer2013 import FER2013, FER2013_CLASSES, iter_fer2013_rows, parse_fer2013_pixels
from .fer2013_folder import FER2013Folder
from .leapgestrecog import LEAPGESTRECOG_CLASSES, LEAPGESTRECOG_SUBJECTS, LeapGestRecog
from .transforms import ToGrayscale

__all__ = [
    'ConfusionMatrixReport', 'FER2013', 'FER2013Folder', 'FER2013_CLASSES', 'iter_fer2013_rows',
    'parse_fer2013_pixels', 'LeapGestRecog',
    'LEAPGESTRECOG_CLASSES', 'LEAPGESTRECOG_SUBJECTS', 'ToGrayscale'
]
