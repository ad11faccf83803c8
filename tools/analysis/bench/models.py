"""From a config to what the benchmark measures: its display name, dedup key and random input.

The model is built with :func:`posezoo.apis.init_model` (random weights unless a checkpoint is
given), its measured network is :class:`posezoo.deployment.InferenceNetwork`, and its task and
input shape are the explicit data read by :func:`posezoo.apis.config_task` /
:func:`posezoo.apis.config_input_shape` (metafile entry, codec); ``<package>::<config>`` specs
are resolved by :func:`posezoo.utils.setup_env.resolve_config`.
"""
import copy
import os.path as osp
import re
from typing import Any, Sequence

import torch
from mmengine.config import Config
from torch import Tensor


def config_name(config: str) -> str:
    """A short display name: the config's file stem without its ``<gpus>xb<batch>-<epochs>e`` part.

    ``higherhrnet_hrnet-w32_8xb24-300e_coco-512x512.py`` -> ``higherhrnet_hrnet-w32_coco-512x512``.
    """
    stem = osp.splitext(osp.basename(config))[0]
    parts = [p for p in stem.split('_') if not re.fullmatch(r'\d+xb\d+(-[\w.]+)*?-\d+e', p)]
    return '_'.join(parts) or stem


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
