"""Transforms for the single-channel (grayscale) classifiers."""
from typing import Dict

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS


@TRANSFORMS.register_module()
class ToGrayscale(BaseTransform):
    """Convert the image to a single-channel (H, W) grayscale array.

    Lets the grayscale models take images loaded in colour (e.g. BGR frames from a video, or
    images read by an inferencer) as well as grayscale ones; gray images pass through.

    Required keys: ``img`` (H, W), (H, W, 1) or BGR (H, W, 3).

    Modified keys: ``img`` becomes (H, W), same dtype; ``img_shape`` (H, W).
    """

    def transform(self, results: Dict) -> Dict:
        """Convert ``results['img']`` in place."""
        img = results['img']
        if img.ndim == 3 and img.shape[2] == 3:
            img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        elif img.ndim == 3 and img.shape[2] == 1:
            img = img[..., 0]
        elif img.ndim != 2:
            raise ValueError(f'ToGrayscale: expected an (H, W), (H, W, 1) or (H, W, 3) image, got shape {img.shape}')
        results['img'] = np.ascontiguousarray(img)
        results['img_shape'] = img.shape[:2]
        return results
