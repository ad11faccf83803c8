"""Dataset over the seed's per-action text files, cut into fixed-length windows."""
from pathlib import Path
from typing import Callable, List, Sequence, Tuple, Union

from mmaction.datasets import BaseActionDataset
from mmaction.registry import DATASETS

from .seed_format import read_seed_file
from .skeleton_file import seed_to_annotation


@DATASETS.register_module()
class SeedSkeletonDataset(BaseActionDataset):
    """Skeleton windows from the seed's text files, one file per action.

    The folder ``ann_file`` holds ``<class>.txt`` for every class name in ``classes`` (the label is
    the class's position). Each file's frames (those in the fraction ``frame_range`` of the file,
    so that one recording can be split into train and validation parts as in the seed) are cut
    into windows of ``clip_len`` frames every ``stride`` frames. Every window is a one-person
    ``PoseDataset``-style sample: ``keypoint`` (1, clip_len, 33, 3) (x, y, z),
    ``keypoint_score`` (1, clip_len, 33) (visibility), ``img_shape`` (1, 1), ``label``,
    ``total_frames``, so MMAction2's skeleton transforms and ``RecognizerGCN`` apply unchanged.

    Args:
        ann_file (str): Folder of the per-action text files (joined with ``data_root``).
        pipeline (list[dict | callable]): Data pipeline.
        classes (sequence[str]): Class names = file stems, in label order.
        clip_len (int): Frames per window. Default: 30.
        stride (int): Frames between the starts of consecutive windows. Default: 10.
        frame_range (tuple[float, float]): Fraction of each file's frames to use, as
            [start, end). Default: (0, 1).
        **kwargs: Other arguments of ``BaseActionDataset`` (``data_root``, ``test_mode``, ...).
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: List[Union[dict, Callable]],
                 classes: Sequence[str],
                 clip_len: int = 30,
                 stride: int = 10,
                 frame_range: Tuple[float, float] = (0.0, 1.0),
                 **kwargs) -> None:
        if clip_len < 1 or stride < 1:
            raise ValueError(f'clip_len and stride must be positive, got {clip_len}, {stride}')
        if not 0 <= frame_range[0] < frame_range[1] <= 1:
            raise ValueError(f'frame_range must satisfy 0 <= start < end <= 1, got {frame_range}')
        self.classes = tuple(classes)
        self.clip_len = clip_len
        self.stride = stride
        self.frame_range = tuple(frame_range)
        super().__init__(
            ann_file,
            pipeline,
            metainfo=dict(classes=self.classes),
            modality='Pose',
            num_classes=len(self.classes),
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """Read every class file and cut it into windows."""
        root = Path(self.ann_file)
        data_list = []
        for label, name in enumerate(self.classes):
            path = root / f'{name}.txt'
            if not path.is_file():
                raise FileNotFoundError(f'{path}: no text file for class {name!r}')
            _, landmarks = read_seed_file(path)
            num_frames = len(landmarks)
            first = int(round(self.frame_range[0] * num_frames))
            last = int(round(self.frame_range[1] * num_frames))
            starts = range(first, last - self.clip_len + 1, self.stride)
            if not starts:
                raise ValueError(f'{path}: frames {first}..{last} of {num_frames} hold no window of '
                                 f'{self.clip_len} frames')
            for start in starts:
                data_list.append(
                    seed_to_annotation(
                        landmarks[start:start + self.clip_len],
                        frame_dir=f'{name}/{start:06d}',
                        label=label))
        return data_list
