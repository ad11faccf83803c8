"""``inference``: run a model built by :func:`posezoo.apis.init_model` on one input or a list.

Each task returns the native data sample of its library:

=====================  =================================================  =========================
task                   one input                                          returns
=====================  =================================================  =========================
pose                   image path or HxWx3 BGR uint8 array                ``PoseDataSample``
video action           video path (or a frame folder, per the config)     ``ActionDataSample``
skeleton action        skeleton file (``.pkl`` / seed ``.txt``) or an      ``ActionDataSample``
                       MMAction2 pose annotation dict (sliding windows:    (+ ``window_scores``)
                       ``posezoo.action.skeleton.sliding_window``)
image classification   image path or HxWx3 BGR uint8 array                ``DataSample`` (mmpretrain)
=====================  =================================================  =========================
"""
import os.path as osp
from functools import partial
from typing import Any, Callable, Dict, List, Sequence, Tuple, Union

import cv2
import mmcv
import numpy as np
import torch
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import DefaultScope

from .task import IMAGE_CLASSIFICATION, POSE, SKELETON_ACTION, VIDEO_ACTION, config_task, test_pipeline

Input = Union[str, np.ndarray, dict]
# Longest side of a pose model's network input after the test pipeline's resize (pixels).
MAX_INPUT_SIZE = 4096


def _check_path(path: str, what: str) -> None:
    if not osp.exists(path):
        raise FileNotFoundError(f'{what} not found: {path}')


def _check_array(image: np.ndarray) -> np.ndarray:
    """An image array as the pipelines take it: HxW or HxWx3, uint8 (a HxWx1 array is HxW)."""
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or image.size == 0 or (image.ndim == 3 and image.shape[2] != 3):
        raise ValueError(f'an image array must be HxW (grey) or HxWx3 (BGR) and non-empty, got '
                         f'shape {image.shape}' + ('; drop the alpha channel: image[..., :3]'
                                                   if image.ndim == 3 and image.shape[2] == 4
                                                   else ''))
    if image.dtype == np.uint8:
        return image
    if np.issubdtype(image.dtype, np.floating):
        low, high = (float(image.min()), float(image.max())) if image.size else (0.0, 0.0)
        fix = ('(image * 255).round().astype(np.uint8)' if 0 <= low and high <= 1 else
               'np.clip(image, 0, 255).round().astype(np.uint8)')
        raise ValueError(f'an image array must be uint8 (0-255, as cv2.imread returns), got '
                         f'{image.dtype} with values in [{low:.3g}, {high:.3g}]; convert it: {fix}')
    if image.dtype == np.uint16:
        raise ValueError('an image array must be uint8 (0-255), got uint16 (0-65535, e.g. a '
                         '16-bit PNG read with cv2.IMREAD_UNCHANGED); convert it: '
                         '(image // 257).astype(np.uint8), or read the file with cv2.imread(path)')
    raise ValueError(f'an image array must be uint8 (0-255), got {image.dtype}; convert it with '
                     'image.astype(np.uint8) after scaling it to 0-255')


def _read_image(image: Union[str, np.ndarray]) -> np.ndarray:
    """Decode an image file (BGR) or validate an array, with clear errors."""
    if isinstance(image, np.ndarray):
        return _check_array(image)
    if not isinstance(image, str):
        raise TypeError(f'an image input must be a path or a numpy array, got {type(image).__name__}')
    _check_path(image, 'image file')
    if osp.getsize(image) == 0:
        raise ValueError(f'cannot decode image file {image}: the file is empty (0 bytes)')
    try:
        array = mmcv.imread(image)
    except (cv2.error, OSError, ValueError) as err:
        raise ValueError(f'cannot decode image file {image}: {err}') from err
    if array is None or array.size == 0:
        raise ValueError(f'cannot decode image file {image}: corrupt or not an image')
    return array


def _name(item: Input) -> str:
    return item if isinstance(item, str) else f'array of shape {getattr(item, "shape", "?")}'


def _check_pose_input_size(model: torch.nn.Module, image: np.ndarray, item: Input,
                           max_input_size: int) -> None:
    """Refuse, before any work, an image whose network input would exceed ``max_input_size``
    pixels on its long side.

    Bottom-up test pipelines resize the image so that it covers the model's input size with
    its aspect ratio kept (``BottomupResize(resize_mode='expand')``): the short side is scaled
    to the input size and the long side follows, so an extreme aspect ratio (a 4000x30 strip)
    asks for an input of tens of thousands of pixels and minutes of inference."""
    height, width = image.shape[:2]
    for step in test_pipeline(model.cfg):
        size = step.get('input_size')
        if size is None:
            continue
        scale = max(size[0] / width, size[1] / height)
        long_side = max(width, height) * scale
        if long_side > max_input_size:
            raise ValueError(
                f'{_name(item)}: image of {width}x{height} would become a network input of about '
                f'{width * scale:.0f}x{height * scale:.0f} pixels after the test pipeline\'s '
                f'{step["type"]} to {tuple(size)} (aspect ratio {max(width, height) / min(width, height):.0f}:1), '
                f'more than max_input_size={max_input_size} on its long side; crop or pad the '
                'image to a less extreme aspect ratio, or raise max_input_size')


def _run(model: torch.nn.Module, pipeline: list, data: dict) -> Any:
    """Run a test pipeline (built in the model's scope) and ``model.test_step`` on one sample."""
    with DefaultScope.overwrite_default_scope(model.cfg.get('default_scope')):
        sample = Compose(pipeline)(data)
    if sample is None:
        raise ValueError('the test pipeline dropped the input (is it empty?)')
    with torch.no_grad():
        return model.test_step(pseudo_collate([sample]))[0]


def _prepare_pose(model: torch.nn.Module, item: Input, max_input_size: int) -> np.ndarray:
    image = _read_image(item)
    if image.ndim == 2:  # the pose pipelines take 3 channels
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    _check_pose_input_size(model, image, item, max_input_size)
    return image


def _pose(model: torch.nn.Module, image: np.ndarray) -> Any:
    from mmpose.apis import inference_bottomup, inference_topdown
    if model.cfg.model.get('type') == 'BottomupPoseEstimator':
        return inference_bottomup(model, image)[0]
    return inference_topdown(model, image)[0]


def _image_classification(model: torch.nn.Module, image: np.ndarray) -> Any:
    pipeline = test_pipeline(model.cfg)
    loader = pipeline[0] if pipeline and pipeline[0].get('type') == 'LoadImageFromFile' else None
    if loader is not None:
        pipeline = pipeline[1:]
        if loader.get('color_type') == 'grayscale' and image.ndim == 3:
            image = mmcv.bgr2gray(image)
    return _run(model, pipeline, dict(img=image, img_shape=image.shape[:2], ori_shape=image.shape[:2]))


def _prepare_video(model: torch.nn.Module, item: Input) -> dict:
    if isinstance(item, str):
        _check_path(item, 'video file')
        return dict(filename=item, label=-1, start_index=0, modality='RGB')
    if not isinstance(item, dict):
        raise TypeError('a video input must be a file path or an MMAction2 annotation dict, '
                        f'got {type(item).__name__}')
    return dict(item)


def _video_action(model: torch.nn.Module, item: dict) -> Any:
    return _run(model, test_pipeline(model.cfg), item)


def _prepare_skeleton(model: torch.nn.Module, item: Input) -> dict:
    from posezoo.action.skeleton import load_skeleton_file
    if isinstance(item, str):
        _check_path(item, 'skeleton sequence file')
        return load_skeleton_file(item)
    if isinstance(item, dict):
        return dict(item)
    raise TypeError('a skeleton input must be a file path or an MMAction2 pose annotation dict, '
                    f'got {type(item).__name__}')


def _skeleton_action(model: torch.nn.Module, annotation: dict) -> Any:
    """Windows of the training length over the whole recording (stride from the config's
    ``sliding_window``, default half a window); per-window scores and their mean."""
    from posezoo.action.skeleton import sliding_window_inference
    return sliding_window_inference(model, annotation)


#: Per task: (check and load one input, before any work; run the model on the loaded input).
_RUNNERS: Dict[str, Tuple[Callable[..., Any], Callable[..., Any]]] = {
    POSE: (_prepare_pose, _pose),
    IMAGE_CLASSIFICATION: (lambda model, item: _read_image(item), _image_classification),
    VIDEO_ACTION: (_prepare_video, _video_action),
    SKELETON_ACTION: (_prepare_skeleton, _skeleton_action),
}


def _prepare_all(prepare: Callable[..., Any], model: torch.nn.Module,
                 items: Sequence[Input]) -> List[Any]:
    """Check and load every input of a list before any inference; one error lists each bad
    item with its index."""
    prepared, bad = [], []
    for i, item in enumerate(items):
        try:
            prepared.append(prepare(model, item))
        except (FileNotFoundError, ValueError, TypeError, OSError) as err:
            bad.append(f'item {i} ({_name(item)}): {err}')
    if bad:
        raise ValueError(f'{len(bad)} of {len(items)} inputs are bad, nothing was run:\n  '
                         + '\n  '.join(bad))
    return prepared


def inference(model: torch.nn.Module, inputs: Union[Input, Sequence[Input]],
              max_input_size: int = MAX_INPUT_SIZE) -> Union[Any, List[Any]]:
    """Run ``model`` on one input or a list of inputs.

    Every input is checked (and images decoded) before the model runs: a list with a bad item
    raises one ``ValueError`` naming each bad item (index and path) and returns nothing.

    Args:
        model: a model from :func:`posezoo.apis.init_model` (it carries ``model.cfg``).
        inputs: one input (path, array or annotation dict, see the module docstring) or a list.
            Image arrays are uint8, HxWx3 BGR or HxW grey (float or 16-bit arrays are refused
            with the conversion to use).
        max_input_size: pose models: the longest side, in pixels, that the network input may have
            after the test pipeline's resize; an image that would exceed it (an extreme aspect
            ratio) is refused with a ``ValueError`` naming it, before any work is done.

    Returns:
        One data sample for one input, a list of data samples for a list.
    """
    if not hasattr(model, 'cfg'):
        raise ValueError('the model has no .cfg: build it with posezoo.apis.init_model')
    task = config_task(model.cfg)
    prepare, run = _RUNNERS[task]
    if task == POSE:
        prepare = partial(prepare, max_input_size=max_input_size)
    if isinstance(inputs, (list, tuple)):
        return [run(model, item) for item in _prepare_all(prepare, model, inputs)]
    return run(model, prepare(model, inputs))
