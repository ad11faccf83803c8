"""``init_model``: one entry point that builds any posezoo / OpenMMLab config ready for inference."""
import os.path as osp
import re
from typing import List, Optional, Union

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import _load_checkpoint

from posezoo.utils.setup_env import load_config
from .task import IMAGE_CLASSIFICATION, POSE, infer_task


class CheckpointMismatchError(ValueError):
    """A checkpoint whose weights do not fit the model built from the config."""


def _register_domain(task: str) -> None:
    """Import the posezoo package that registers the modules of this task's library."""
    if task == POSE:
        import posezoo.pose  # noqa: F401
    elif task == IMAGE_CLASSIFICATION:
        import posezoo.cls  # noqa: F401
    else:
        import posezoo.action  # noqa: F401


def _build(cfg: Config, task: str) -> torch.nn.Module:
    if task == POSE:
        from mmpose.apis import init_model as init_pose_model
        return init_pose_model(cfg, checkpoint=None, device='cpu')
    if task == IMAGE_CLASSIFICATION:
        from mmpretrain.apis import get_model
        return get_model(cfg, pretrained=False, device='cpu')
    from mmaction.apis import init_recognizer
    return init_recognizer(cfg, checkpoint=None, device='cpu')


def _describe(keys: List[str], what: str, limit: int = 5) -> str:
    shown = ', '.join(keys[:limit]) + (f', ... ({len(keys) - limit} more)' if len(keys) > limit else '')
    return f'{len(keys)} {what}: {shown}'


def load_checkpoint_strict(model: torch.nn.Module, checkpoint: str) -> dict:
    """Load ``checkpoint`` into ``model``; every key and shape must match.

    Returns:
        The loaded checkpoint dict (``meta``, ``state_dict``, ...).

    Raises:
        FileNotFoundError: the file does not exist.
        CheckpointMismatchError: the file is not a checkpoint, or its weights do not fit the model
            (the message counts and names the missing, unexpected and mis-shaped keys).
    """
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint file not found: {checkpoint}')
    try:
        ckpt = _load_checkpoint(checkpoint, map_location='cpu')
    except Exception as err:  # corrupt file, not a pickle / zip archive, refused global
        raise CheckpointMismatchError(
            f'cannot read checkpoint {checkpoint}: {type(err).__name__}: {err}') from err
    if not isinstance(ckpt, dict):
        raise CheckpointMismatchError(
            f'cannot read checkpoint {checkpoint}: expected a dict, got {type(ckpt).__name__}')
    state = ckpt.get('state_dict', ckpt)
    state = {re.sub(r'^module\.', '', key): value for key, value in state.items()}
    expected = model.state_dict()
    problems = []
    missing = [key for key in expected if key not in state]
    unexpected = [key for key in state if key not in expected]
    mis_shaped = [f'{key} {tuple(state[key].shape)} != {tuple(value.shape)}'
                  for key, value in expected.items()
                  if key in state and torch.is_tensor(state[key]) and state[key].shape != value.shape]
    for keys, what in ((missing, 'missing keys'), (unexpected, 'unexpected keys'),
                       (mis_shaped, 'keys of another shape (checkpoint != model)')):
        if keys:
            problems.append(_describe(keys, what))
    if problems:
        raise CheckpointMismatchError(
            f'checkpoint {checkpoint} does not match the model {type(model).__name__} built from '
            'the config:\n  ' + '\n  '.join(problems) +
            '\nPublished HigherHRNet checkpoints (official repo or MMPose 0.x layout) must be '
            'converted first: python tools/model_converters/higherhrnet2posezoo.py IN OUT')
    model.load_state_dict(state, strict=True)
    return ckpt


def init_model(config: Union[str, Config],
               checkpoint: Optional[str] = None,
               device: str = 'cpu',
               cfg_options: Optional[dict] = None) -> torch.nn.Module:
    """Build a model from a config, load its weights and make it ready for :func:`inference`.

    Works for every zoo config: pose (mmpose), video or skeleton action (mmaction) and image
    classification (mmpretrain); the task is read from the config's ``default_scope`` and pipeline.

    Args:
        config: config file path or :class:`mmengine.Config`.
        checkpoint: weights to load (strictly: every key and shape must match). ``None`` keeps the
            initial weights.
        device: ``'cpu'``, ``'cuda'``, ``'cuda:1'`` ...
        cfg_options: overrides merged into the config (dotted keys).

    Returns:
        The model in eval mode on ``device``, with ``model.cfg`` set (and ``model.dataset_meta``
        for pose and classification models).
    """
    if isinstance(config, str):
        cfg = load_config(config, cfg_options)
    elif isinstance(config, Config):
        cfg = config.copy()
        if cfg_options:
            cfg.merge_from_dict(cfg_options)
    else:
        raise TypeError(f'config must be a file path or a Config, got {type(config).__name__}')
    task = infer_task(cfg)
    _register_domain(task)
    init_default_scope(cfg.get('default_scope'))
    model = _build(cfg, task)
    if checkpoint is not None:
        ckpt = load_checkpoint_strict(model, checkpoint)
        dataset_meta = ckpt.get('meta', {}).get('dataset_meta')
        if dataset_meta and task == POSE:
            model.dataset_meta = dataset_meta
        elif dataset_meta and task == IMAGE_CLASSIFICATION:
            model._dataset_meta = dataset_meta  # what mmpretrain's get_model sets
    model.cfg = cfg
    model.to(device)
    model.eval()
    return model
