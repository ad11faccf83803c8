"""LeapGestRecog hand-gesture dataset read from the original Kaggle folder layout.

The data set holds near-infrared images (640x240 PNG) of 10 gestures by 10 subjects::

    leapGestRecog/
      00/                      subject
        01_palm/               <nn>_<gesture>, nn = class index + 1
          frame_00_01_0001.png
          ...
        02_l/ ... 10_down/
      01/ ... 09/

Splits are by subject, so that no person of the test split is seen in training.
"""
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence

from mmpretrain.datasets import BaseDataset
from mmpretrain.registry import DATASETS

LEAPGESTRECOG_CLASSES = ('palm', 'l', 'fist', 'fist_moved', 'thumb', 'index', 'ok', 'palm_moved', 'c',
                         'down')
LEAPGESTRECOG_SUBJECTS = {
    'train': ('00', '01', '02', '03', '04', '05', '06', '07'),
    'test': ('08', '09'),
}
_SUBJECT_RE = re.compile(r'^\d{2}$')
_GESTURE_RE = re.compile(r'^(\d{2})_(.+)$')
_FRAME_RE = re.compile(r'^frame_.*\.png$')


@DATASETS.register_module()
class LeapGestRecog(BaseDataset):
    """LeapGestRecog (Mantecon et al., 2016) with a subject-wise split.

    Each sample is ``dict(img_path=str, gt_label=int, subject=str)``; images are read by the
    pipeline (``LoadImageFromFile``, ``color_type='grayscale'`` for the single-channel configs).
    A sample whose image cannot be read or transformed raises an ``OSError`` naming the file.

    Args:
        data_root: The folder holding the subject folders ``00`` ... ``09``.
        split: ``'train'`` (subjects 00-07) or ``'test'`` (subjects 08-09).
        subjects: Explicit subject folder names; overrides ``split``.
        data_prefix: Sub-folder of ``data_root`` holding the subjects (default: ``data_root``).
        **kwargs: Other arguments of :class:`mmpretrain.datasets.BaseDataset`.

    Raises:
        FileNotFoundError: a requested subject folder does not exist.
        ValueError: a gesture folder is not named ``<nn>_<gesture>`` with a known gesture at its
            index, or holds no ``frame_*.png``.
    """

    METAINFO = {'classes': LEAPGESTRECOG_CLASSES}

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 subjects: Optional[Sequence[str]] = None,
                 data_prefix: str = '',
                 metainfo: Optional[dict] = None,
                 **kwargs) -> None:
        if subjects is None:
            if split not in LEAPGESTRECOG_SUBJECTS:
                raise ValueError(f'LeapGestRecog: unknown split {split!r}, expected one of '
                                 f'{sorted(LEAPGESTRECOG_SUBJECTS)} or explicit `subjects`')
            subjects = LEAPGESTRECOG_SUBJECTS[split]
        self.split = split
        self.subjects = tuple(str(s) for s in subjects)
        super().__init__(ann_file='', data_root=data_root, data_prefix=data_prefix, metainfo=metainfo,
                         **kwargs)

    def load_data_list(self) -> List[Dict]:
        """List the frames of ``self.subjects`` in sorted order."""
        root = self.data_prefix['img_path'] or self.data_root
        data_list = []
        for subject in self.subjects:
            subject_dir = osp.join(root, subject)
            if not _SUBJECT_RE.match(subject) or not osp.isdir(subject_dir):
                raise FileNotFoundError(f'LeapGestRecog: subject folder {subject_dir} not found '
                                        '(expected two-digit folders 00 ... 09)')
            for gesture in sorted(os.listdir(subject_dir)):
                gesture_dir = osp.join(subject_dir, gesture)
                if not osp.isdir(gesture_dir):
                    continue
                label = self._gesture_label(gesture_dir)
                frames = sorted(f for f in os.listdir(gesture_dir) if _FRAME_RE.match(f))
                if not frames:
                    raise ValueError(f'LeapGestRecog: {gesture_dir} holds no frame_*.png image')
                data_list.extend(
                    dict(img_path=osp.join(gesture_dir, f), gt_label=label, subject=subject) for f in frames)
        return data_list

    @staticmethod
    def _gesture_label(gesture_dir: str) -> int:
        """Class index of a ``<nn>_<gesture>`` folder, checking name and index agree."""
        name = osp.basename(gesture_dir)
        match = _GESTURE_RE.match(name)
        index = int(match.group(1)) - 1 if match else -1
        if not match or not 0 <= index < len(LEAPGESTRECOG_CLASSES) \
                or match.group(2) != LEAPGESTRECOG_CLASSES[index]:
            expected = ', '.join(f'{i + 1:02d}_{c}' for i, c in enumerate(LEAPGESTRECOG_CLASSES))
            raise ValueError(f'LeapGestRecog: unexpected gesture folder {gesture_dir}; expected one of {expected}')
        return index

    def prepare_data(self, idx: int) -> Optional[dict]:
        """Run the pipeline on sample ``idx``; failures name the image file."""
        try:
            return super().prepare_data(idx)
        except Exception as err:
            path = self.get_data_info(idx)['img_path']
            raise OSError(f'LeapGestRecog: cannot load image {path}: {type(err).__name__}: {err}') from err

    def extra_repr(self) -> List[str]:
        """Lines added to ``repr(dataset)``."""
        return [f'Root: \t{self.data_prefix["img_path"] or self.data_root}',
                f'Subjects: \t{", ".join(self.subjects)}']
