"""From a config file to what the benchmark measures: the model, its inference network and input.

Every zoo config (pose / video action / skeleton action / image classification) and every
OpenMMLab peer config goes through the same path:

* :func:`load_model` builds the model with :func:`posezoo.apis.init_model` (random weights unless
  a checkpoint is given);
* :class:`InferenceNetwork` is the tensor-to-tensor part that runs at inference (for a
  ``KDRecognizer``: the student alone), used for parameters, FLOPs, latency and ONNX export;
* :func:`input_shape` reads the network's input size (without the batch axis) from the config.
"""
import copy
import os.path as osp
import re
from typing import Any, Dict, Optional, Sequence, Tuple

import torch
from mmengine.config import Config
from torch import Tensor, nn

from posezoo.apis.task import (IMAGE_CLASSIFICATION, POSE, SKELETON_ACTION, VIDEO_ACTION,
                               infer_task, test_pipeline)
from .measure import flatten_tensors

#: Keypoints per skeleton layout named in skeleton config file names (``..._coco17-48f.py``).
_SKELETON_LAYOUTS = {'coco17': 17, 'mediapipe33': 33, 'ntu25': 25, 'halpe26': 26}


class InferenceNetwork(nn.Module):
    """The inference path of an OpenMMLab model as a plain ``Tensor -> tuple of Tensors`` module.

    * pose (mmpose): ``model(x, None, mode='tensor')``: backbone (+ neck) + ``head.forward``,
      i.e. the network up to the heatmaps / raw head outputs; decoding is not included.
    * video / skeleton action (mmaction): ``_forward(x, stage='head')``: backbone + head scores.
      A model with an ``inference_model`` attribute (``KDRecognizer``) is replaced by it.
    * image classification (mmpretrain): ``model(x, None, mode='tensor')``: the head's logits.

    Args:
        model: the model built from the config.
        task: one of :data:`posezoo.apis.task.TASKS`.

    Shapes:
        input: pose / classification (B, C, H, W); video action (B, V, C, T, H, W);
        skeleton action (B, V, M, T, J, C) (views, people, frames, joints, channels).
        output: the flattened tensors of the inference output, in the model's order.
    """

    def __init__(self, model: nn.Module, task: str) -> None:
        super().__init__()
        self.model = getattr(model, 'inference_model', model)
        self.task = task

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        if self.task in (VIDEO_ACTION, SKELETON_ACTION):
            out = self.model._forward(x, stage='head')
        else:
            out = self.model(x, None, mode='tensor')
        return flatten_tensors(out)


def config_name(config: str) -> str:
    """A short display name: the config's file stem without its ``<gpus>xb<batch>-<epochs>e`` part.

    ``higherhrnet_hrnet-w32_8xb24-300e_coco-512x512.py`` -> ``higherhrnet_hrnet-w32_coco-512x512``.
    """
    stem = osp.splitext(osp.basename(config))[0]
    parts = [p for p in stem.split('_') if not re.fullmatch(r'\d+xb\d+(-[\w.]+)*?-\d+e', p)]
    return '_'.join(parts) or stem


def _pose_input_size(cfg: Config) -> Optional[Tuple[int, int]]:
    """(w, h) of a pose config: head decoder, top-level codec, or top-level ``input_size``."""
    head = cfg.model.get('head') or {}
    for source in (head.get('decoder'), cfg.get('codec'), cfg.get('model', {}).get('codec')):
        if isinstance(source, dict) and source.get('input_size') is not None:
            return tuple(source['input_size'])
        if isinstance(source, (list, tuple)):  # several codecs (e.g. RTMPose-style configs)
            for c in source:
                if isinstance(c, dict) and c.get('input_size') is not None:
                    return tuple(c['input_size'])
    if cfg.get('input_size') is not None:
        return tuple(cfg.input_size)
    return None


def _image_size_from_pipeline(pipeline: Sequence[dict]) -> Optional[Tuple[int, int]]:
    """(h, w) of the last fixed-size resize / crop of a test pipeline."""
    size = None
    for step in pipeline:
        if not isinstance(step, dict):
            continue
        value = step.get('crop_size') or step.get('scale')
        if step.get('type') in ('Resize', 'CenterCrop', 'RandomResizedCrop', 'ResizeEdge') and \
                value is not None and step.get('keep_ratio') is not True:
            if isinstance(value, int):
                size = (value, value)
            elif len(value) == 2 and all(isinstance(v, int) and v > 0 for v in value):
                size = (value[1], value[0])  # OpenMMLab scales are (w, h)
    return size


def _first(pipeline: Sequence[dict], types: Sequence[str]) -> Optional[dict]:
    return next((s for s in pipeline if isinstance(s, dict) and s.get('type') in types), None)


def input_shape(cfg: Config, config: str = '') -> Tuple[int, ...]:
    """The inference network's input shape without the batch axis, read from the config.

    * pose: (3, h, w) from the codec's ``input_size`` (or the config's ``input_size``);
    * video action: (1, 3, T, H, W) from the file name's ``-<T>x<H>x<W>`` suffix (posezoo's naming),
      else from the test pipeline (``SampleFrames.clip_len`` and the last crop / resize);
    * image classification: (C, H, W) from the test pipeline (C = 1 after ``ToGrayscale``), else
      from the file name's ``-<W>x<H>`` suffix;
    * skeleton action: (1, M, T, J, 3) with M from ``FormatGCNInput.num_person``, T from the
      sampler's ``clip_len`` and J from the layout in the file name (``coco17``, ``mediapipe33``).

    Raises:
        ValueError: the shape cannot be read; pass it explicitly (``--shape``).
    """
    task = infer_task(cfg)
    stem = osp.splitext(osp.basename(config))[0]
    pipeline = test_pipeline(cfg)
    if task == POSE:
        size = _pose_input_size(cfg)
        if size is not None:
            w, h = size
            return (3, int(h), int(w))
    elif task == VIDEO_ACTION:
        match = re.search(r'-(\d+)x(\d+)x(\d+)$', stem)
        if match:
            t, h, w = (int(g) for g in match.groups())
            return (1, 3, t, h, w)
        sampler = _first(pipeline, ('SampleFrames', 'UniformSample', 'DenseSampleFrames'))
        size = _image_size_from_pipeline(pipeline)
        if sampler is not None and size is not None:
            return (1, 3, int(sampler.get('clip_len', 1)), *size)
    elif task == IMAGE_CLASSIFICATION:
        size = _image_size_from_pipeline(pipeline)
        channels = 1 if _first(pipeline, ('ToGrayscale', )) is not None else 3
        if size is None:
            match = re.search(r'-(\d+)x(\d+)$', stem)
            size = (int(match.group(2)), int(match.group(1))) if match else None
        if size is not None:
            return (channels, *size)
    elif task == SKELETON_ACTION:
        sampler = _first(pipeline, ('UniformSampleFrames', 'SampleFrames'))
        formatter = _first(pipeline, ('FormatGCNInput', ))
        layout = next((n for k, n in _SKELETON_LAYOUTS.items() if k in stem), None)
        if sampler is not None and layout is not None:
            people = int(formatter.get('num_person', 2)) if formatter is not None else 1
            return (1, people, int(sampler['clip_len']), layout, 3)
    raise ValueError(f'cannot read the input shape of {config or "the config"} ({task}); '
                     'give it explicitly, e.g. --shape 3,512,512')


def load_model(config: str, device: str = 'cpu', checkpoint: Optional[str] = None,
               cfg_options: Optional[Dict[str, Any]] = None) -> nn.Module:
    """Build a config's model for inference (eval mode, on ``device``), with ``model.cfg`` set.

    Without ``checkpoint`` the weights are the modules' initial ones (no pretrained download):
    the cost figures do not depend on weight values; only the decoding time of pose models does
    (through the number of candidate keypoints), see ``docs/benchmark.md``.
    """
    from posezoo.apis import init_model
    return init_model(config, checkpoint=checkpoint, device=device, cfg_options=cfg_options)


def architecture_key(cfg: Config, shape: Sequence[int]) -> str:
    """A key equal for configs whose inference networks and test-time settings are identical.

    Training-only fields (``init_cfg``, ``pretrained``, losses, ``train_cfg``) are dropped, so the
    300-epoch and the 40-epoch HigherHRNet-W32 configs share one key and are measured once.
    """

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in sorted(value.items())
                    if k not in ('init_cfg', 'pretrained', 'train_cfg') and 'loss' not in k}
        if isinstance(value, (list, tuple)):
            return [strip(v) for v in value]
        return value

    model_cfg = copy.deepcopy(cfg.model.to_dict() if hasattr(cfg.model, 'to_dict') else cfg.model)
    return repr((strip(model_cfg), tuple(shape)))


def random_input(shape: Sequence[int], batch: int, device: torch.device,
                 seed: int = 0) -> Tensor:
    """A reproducible N(0, 1) input of shape (batch, *shape) on ``device``."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randn((batch, *shape), generator=generator).to(device)
