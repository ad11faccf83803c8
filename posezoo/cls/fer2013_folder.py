"""FER2013 as image folders (Kaggle's "FER-2013" image variant, the one seed 001 used).

Layout: ``<data_root>/train/<class>/*.jpg`` and ``<data_root>/test/<class>/*.jpg``, 48x48
grayscale JPEGs, one folder per expression (``angry``, ``disgust``, ``fear``, ``happy``,
``neutral``, ``sad``, ``surprise``). A generic image-folder reader numbers the folders
alphabetically (neutral = 4); here each folder name maps to FER2013's own index (0 angry,
1 disgust, 2 fear, 3 happy, 4 sad, 5 surprise, 6 neutral), so the labels, the CSV dataset
(:class:`~posezoo.cls.FER2013`) and a checkpoint trained on either agree.

The seed splits the train folder into a training and a validation set; here the split is
stratified (per class, ``round(n * val_ratio)`` images to val) and seeded (each class's sorted
file list shuffled by ``numpy.random.default_rng(seed)``), so it is the same on every machine.
"""
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np
from mmpretrain.datasets import BaseDataset
from mmpretrain.registry import DATASETS

from .fer2013 import FER2013_CLASSES

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp')


def folder_files(folder: Path) -> Dict[int, List[Path]]:
    """FER2013 class index -> the sorted image files of its sub-folder of ``folder``.

    Raises:
        FileNotFoundError: ``folder`` is missing or has none of the seven class folders.
        ValueError: a sub-folder that is not a FER2013 class name.
    """
    if not folder.is_dir():
        raise FileNotFoundError(f'{folder}: no such folder (expected <class>/*.jpg inside)')
    files = {}
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        name = sub.name.lower()
        if name not in FER2013_CLASSES:
            raise ValueError(f'{sub}: not a FER2013 class folder (expected one of {FER2013_CLASSES})')
        files[FER2013_CLASSES.index(name)] = sorted(
            p for p in sub.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise FileNotFoundError(f'{folder}: none of the class folders {FER2013_CLASSES}')
    return files


def stratified_split(files: Dict[int, List[Path]], val_ratio: float,
                     seed: int) -> Tuple[List[Tuple[Path, int]], List[Tuple[Path, int]]]:
    """(train, val) lists of (file, label): per class ``round(n * val_ratio)`` files to val."""
    if not 0 <= val_ratio < 1:
        raise ValueError(f'val_ratio must be in [0, 1), got {val_ratio}')
    rng = np.random.default_rng(seed)
    train, val = [], []
    for label in sorted(files):
        order = rng.permutation(len(files[label]))
        num_val = int(round(len(order) * val_ratio))
        val += [(files[label][i], label) for i in sorted(order[:num_val])]
        train += [(files[label][i], label) for i in sorted(order[num_val:])]
    return train, val


@DATASETS.register_module()
class FER2013Folder(BaseDataset):
    """FER2013 from ``train/`` and ``test/`` image folders; ``val`` is split off ``train/``.

    Each sample is ``dict(img_path=str, gt_label=int)`` with FER2013's class index; pipelines
    start with ``LoadImageFromFile`` (``color_type='grayscale'``).

    Args:
        data_root: the folder holding ``train/`` and ``test/``.
        split: ``'train'``, ``'val'`` (both from ``train/``) or ``'test'`` (``test/``).
        val_ratio: fraction of each class of ``train/`` that goes to ``val``. Default 0.1.
        seed: seed of the split. Default 0.
        **kwargs: other arguments of :class:`mmpretrain.datasets.BaseDataset`.
    """

    METAINFO = {'classes': FER2013_CLASSES}

    def __init__(self, data_root: str = '', split: str = 'train', val_ratio: float = 0.1,
                 seed: int = 0, metainfo: Optional[dict] = None, **kwargs) -> None:
        if split not in ('train', 'val', 'test'):
            raise ValueError(f"FER2013Folder: split must be 'train', 'val' or 'test', not {split!r}")
        self.split, self.val_ratio, self.seed = split, val_ratio, seed
        super().__init__(ann_file='', data_root=data_root, metainfo=metainfo, **kwargs)

    def load_data_list(self) -> List[Dict]:
        root = Path(self.data_root)
        if self.split == 'test':
            samples = [(f, label) for label, fs in sorted(folder_files(root / 'test').items())
                       for f in fs]
        else:
            train, val = stratified_split(folder_files(root / 'train'), self.val_ratio, self.seed)
            samples = train if self.split == 'train' else val
        return [dict(img_path=str(f), gt_label=label) for f, label in samples]
