"""``preprocess``: one image as the network sees it (test pipeline + data preprocessor)."""
from typing import Any, Dict, Optional, Union

import mmcv
import numpy as np
import torch
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import DefaultScope

from .inference import _check_array, _check_path, _read_image
from .task import test_pipeline

_LOADERS = ('LoadImage', 'LoadImageFromFile', 'mmengine.LoadImageFromFile')


def preprocess(model: torch.nn.Module, image: Union[str, np.ndarray],
               pipeline: Optional[Compose] = None) -> Dict[str, Any]:
    """Run one image through the config's test pipeline and the model's data preprocessor.

    Args:
        model: a model from :func:`posezoo.apis.init_model` (it carries ``model.cfg``); pose
            models add their ``dataset_meta`` to the sample, as MMPose's inference does.
        image: an image file (decoded here when the pipeline has no loading step), or an
            HxW(xC) BGR array (the pipeline's loading step is skipped; a grayscale loader's
            conversion is applied).
        pipeline: the composed test pipeline, when the caller reuses it (default: built from
            ``model.cfg`` in the model's scope).

    Returns:
        dict: ``inputs`` (1, C, H, W) on the model's device, normalised, and ``data_samples``
        (a list of one data sample with the pipeline's meta information).

    Raises:
        FileNotFoundError: the image file does not exist.
        ValueError: the image cannot be decoded, the array is not uint8 HxW / HxWx3, or the
            pipeline dropped the image.
    """
    if isinstance(image, np.ndarray):
        image = _check_array(image)
    elif isinstance(image, str):
        _check_path(image, 'image file')
    else:
        raise TypeError(f'an image input must be a path or a numpy array, got {type(image).__name__}')
    if pipeline is None:
        steps = test_pipeline(model.cfg)
        has_loader = bool(steps) and steps[0].get('type') in _LOADERS
        if isinstance(image, str) and not has_loader:  # the pipeline expects a decoded image
            image = _read_image(image)
        if isinstance(image, np.ndarray) and has_loader:
            if steps[0].get('color_type') == 'grayscale' and image.ndim == 3:
                image = mmcv.bgr2gray(image)  # what the skipped loader would have read
            steps = steps[1:]
        with DefaultScope.overwrite_default_scope(model.cfg.get('default_scope')):
            pipeline = Compose(steps)
    if isinstance(image, np.ndarray):
        data: Dict[str, Any] = dict(img=image, img_shape=image.shape[:2],
                                    ori_shape=image.shape[:2], img_path=None)
    else:
        data = dict(img_path=image)
    data.update(getattr(model, 'dataset_meta', None) or {})
    sample = pipeline(data)
    if sample is None:
        raise ValueError(f'the test pipeline dropped the image {image if isinstance(image, str) else ""}')
    with torch.no_grad():
        return model.data_preprocessor(pseudo_collate([sample]), False)
