"""FER2013 facial-expression dataset read from the original Kaggle CSV.

The challenge ships one file, ``fer2013.csv``, with a header and one face per row::

    emotion,pixels,Usage
    0,70 80 82 72 58 ... (48 * 48 = 2304 space-separated integers in [0, 255]),Training

``emotion`` is the class index (0 angry, 1 disgust, 2 fear, 3 happy, 4 sad, 5 surprise,
6 neutral) and ``Usage`` the split: ``Training`` (~28.7k faces), ``PublicTest`` (~3.6k) and
``PrivateTest`` (~3.6k). Faces are 48x48 grayscale, stored here as ``uint8`` arrays of shape
(48, 48) under the ``img`` key, so pipelines start without ``LoadImageFromFile``.
"""
import csv
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional

import numpy as np
from mmpretrain.datasets import BaseDataset
from mmpretrain.registry import DATASETS

FER2013_CLASSES = ('angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral')
FER2013_USAGES = ('Training', 'PublicTest', 'PrivateTest')
FER2013_SPLITS = {'train': 'Training', 'val': 'PublicTest', 'test': 'PrivateTest'}
FER2013_SIZE = 48


@dataclass
class FER2013Row:
    """One validated row of the CSV; ``pixels`` is still the raw string (parsed on demand)."""

    line: int
    emotion: int
    usage: str
    pixels: str


def iter_fer2013_rows(csv_path: str) -> Iterator[FER2013Row]:
    """Yield the rows of a FER2013 CSV after checking their structure.

    Checks the header (columns ``emotion``, ``pixels`` and ``Usage``; surrounding blanks are
    ignored, as in Kaggle's ``icml_face_data.csv`` variant), the number of fields, the emotion
    index and the usage of every row. Blank lines are skipped. Pixels are checked by
    :func:`parse_fer2013_pixels` when a row is used.

    Raises:
        ValueError: naming the file and the line of the first malformed row.
    """
    with open(csv_path, newline='') as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            raise ValueError(f'{csv_path}: empty file, expected the header "emotion,pixels,Usage"')
        columns = [name.strip() for name in header]
        missing = [name for name in ('emotion', 'pixels', 'Usage') if name not in columns]
        if missing:
            raise ValueError(f'{csv_path}: line 1: header {header} lacks the column(s) {missing}; '
                             'expected "emotion,pixels,Usage"')
        i_emotion, i_pixels, i_usage = (columns.index(n) for n in ('emotion', 'pixels', 'Usage'))
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            line = reader.line_num
            if len(row) != len(columns):
                raise ValueError(f'{csv_path}: line {line}: malformed row with {len(row)} field(s), '
                                 f'expected {len(columns)} ({",".join(columns)})')
            emotion = row[i_emotion].strip()
            if not emotion.isdigit() or int(emotion) >= len(FER2013_CLASSES):
                raise ValueError(f'{csv_path}: line {line}: emotion {emotion!r} is not an integer in '
                                 f'[0, {len(FER2013_CLASSES) - 1}]')
            usage = row[i_usage].strip()
            if usage not in FER2013_USAGES:
                raise ValueError(f'{csv_path}: line {line}: Usage {usage!r} is not one of {FER2013_USAGES}')
            yield FER2013Row(line=line, emotion=int(emotion), usage=usage, pixels=row[i_pixels])


def parse_fer2013_pixels(pixels: str, where: str) -> np.ndarray:
    """Parse the ``pixels`` field of a row into a face image.

    Args:
        pixels: 2304 space-separated integers in [0, 255], row-major.
        where: ``'<file>: line <n>'``, used in error messages.

    Returns:
        np.ndarray: uint8 image of shape (48, 48).

    Raises:
        ValueError: wrong pixel count, a non-integer or a value outside [0, 255].
    """
    tokens = pixels.split()
    expected = FER2013_SIZE * FER2013_SIZE
    if len(tokens) != expected:
        raise ValueError(f'{where}: {len(tokens)} pixel values, expected {expected} '
                         f'({FER2013_SIZE}x{FER2013_SIZE})')
    try:
        values = np.array(tokens, dtype=np.int64)
    except ValueError as err:
        raise ValueError(f'{where}: pixel values must be integers ({err})') from None
    if values.min() < 0 or values.max() > 255:
        raise ValueError(f'{where}: pixel values must lie in [0, 255], '
                         f'got [{values.min()}, {values.max()}]')
    return values.astype(np.uint8).reshape(FER2013_SIZE, FER2013_SIZE)


@DATASETS.register_module()
class FER2013(BaseDataset):
    """FER2013 (Goodfellow et al., 2013) read from the original ``fer2013.csv``.

    Every row of the file is checked for structure (header, field count, emotion, usage); the
    pixels of the rows of the chosen split are parsed and checked (2304 integers in [0, 255]).

    Each sample is ``dict(img=uint8 (48, 48), gt_label=int, img_shape=(48, 48),
    ori_shape=(48, 48), csv_line=int)``. To balance the rare "disgust" class (~1.5% of
    Training), wrap the training set in mmengine's ``ClassBalancedDataset``, which repeats
    samples of rare classes using :meth:`get_cat_ids`.

    Args:
        ann_file: The CSV, relative to ``data_root`` unless absolute.
        split: ``'train'`` / ``'val'`` / ``'test'``, or the CSV's own names ``'Training'`` /
            ``'PublicTest'`` / ``'PrivateTest'`` (``val`` = PublicTest, ``test`` = PrivateTest).
        data_root: Root folder of the data set.
        **kwargs: Other arguments of :class:`mmpretrain.datasets.BaseDataset` (``pipeline``,
            ``test_mode``, ``indices``, ...).
    """

    METAINFO = {'classes': FER2013_CLASSES}

    def __init__(self,
                 ann_file: str = 'fer2013.csv',
                 split: str = 'train',
                 data_root: str = '',
                 metainfo: Optional[dict] = None,
                 **kwargs) -> None:
        if split in FER2013_SPLITS:
            self.usage = FER2013_SPLITS[split]
        elif split in FER2013_USAGES:
            self.usage = split
        else:
            raise ValueError(f'FER2013: unknown split {split!r}, expected one of '
                             f'{sorted(FER2013_SPLITS)} or {FER2013_USAGES}')
        self.split = split
        super().__init__(ann_file=ann_file, data_root=data_root, metainfo=metainfo, **kwargs)

    def load_data_list(self) -> List[Dict]:
        """Read the samples of ``self.usage`` from the CSV."""
        data_list = []
        for row in iter_fer2013_rows(self.ann_file):
            if row.usage != self.usage:
                continue
            img = parse_fer2013_pixels(row.pixels, f'{self.ann_file}: line {row.line}')
            data_list.append(dict(img=img, gt_label=row.emotion, img_shape=img.shape,
                                  ori_shape=img.shape, csv_line=row.line))
        return data_list

    def extra_repr(self) -> List[str]:
        """Lines added to ``repr(dataset)``."""
        return [f'Annotation file: \t{self.ann_file}', f'Split: \t{self.split} ({self.usage})']
