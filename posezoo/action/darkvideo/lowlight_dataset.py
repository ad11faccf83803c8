"""Unpaired low-light images for training Zero-DCE on its own (no labels, no references)."""
import os
import os.path as osp
from typing import Dict, List

import numpy as np
import torch
from mmaction.registry import DATASETS, TRANSFORMS
from mmcv.transforms import BaseTransform
from mmengine.dataset import BaseDataset

IMG_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp')


@DATASETS.register_module()
class LowLightImageDataset(BaseDataset):
    """All images (``.png/.jpg/.jpeg/.bmp``) under ``data_prefix['img']``, sorted by path.

    Each sample is ``dict(img_path=...)``; the pipeline loads and packs it (see
    ``PackLowLightInputs``).

    Args:
        data_prefix (dict): ``dict(img='path/to/images')``.
        **kwargs: Other :class:`mmengine.dataset.BaseDataset` arguments.
    """

    def __init__(self, data_prefix: dict, **kwargs) -> None:
        super().__init__(ann_file='', data_prefix=data_prefix, **kwargs)

    def load_data_list(self) -> List[Dict]:
        root = self.data_prefix.get('img', '')
        if not osp.isdir(root):
            raise FileNotFoundError(f'LowLightImageDataset: image folder not found: {root}')
        paths = sorted(
            osp.join(dirpath, name) for dirpath, _, names in os.walk(root) for name in names
            if name.lower().endswith(IMG_EXTENSIONS))
        if not paths:
            raise FileNotFoundError(f'LowLightImageDataset: no images under {root}')
        return [dict(img_path=p) for p in paths]


@TRANSFORMS.register_module()
class PackLowLightInputs(BaseTransform):
    """Pack a loaded image for ``ImgDataPreprocessor`` + ``ZeroDCE``.

    Required keys: ``img`` (``H x W x 3`` uint8, BGR as loaded by ``LoadImageFromFile``).
    Added keys: ``inputs`` (uint8 tensor ``(3, H, W)``, BGR; the preprocessor converts it to RGB
    in ``[0, 1]`` with ``bgr_to_rgb=True, mean=0, std=255``).
    """

    def transform(self, results: Dict) -> Dict:
        img = np.ascontiguousarray(results['img'].transpose(2, 0, 1))
        return dict(inputs=torch.from_numpy(img))
