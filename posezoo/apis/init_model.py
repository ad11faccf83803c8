"""``init_model``: one entry point that builds any posezoo / OpenMMLab config ready for inference."""
import os.path as osp
import warnings
from typing import Optional, Tuple, Union

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import _load_checkpoint, _load_checkpoint_to_model

from posezoo.utils.setup_env import load_config

from .task import IMAGE_CLASSIFICATION, POSE, config_task


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


def _shorten(message: str, limit: int = 400) -> str:
    """Each line of MMEngine's key listing cut to ``limit`` characters."""
    lines = [line if len(line) <= limit else line[:limit] + ' ...' for line in message.splitlines()]
    return '\n  '.join(line for line in lines if line.strip())


def load_checkpoint_strict(model: torch.nn.Module, checkpoint: str) -> dict:
    """Load ``checkpoint`` into ``model`` with MMEngine's loader; every key and shape must match.

    MMEngine's ``_load_checkpoint`` reads the file (``module.`` prefixes of DDP checkpoints are
    removed) and ``_load_checkpoint_to_model(strict=True)`` loads it; posezoo only turns their
    errors into one exception type whose message says what to do.

    Returns:
        The loaded checkpoint dict (``meta``, ``state_dict``, ...).

    Raises:
        FileNotFoundError: the file does not exist.
        CheckpointMismatchError: the file is not a checkpoint, or its weights do not fit the model
            (the message lists MMEngine's missing, unexpected and mis-shaped keys).
    """
    from posezoo.weights import WeightsDownloadError
    is_url = checkpoint.startswith(('http://', 'https://'))
    if not is_url and not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint file not found: {checkpoint}')
    try:
        ckpt = _load_checkpoint(checkpoint, map_location='cpu')
    except WeightsDownloadError:
        raise
    except Exception as err:  # corrupt file, not a pickle / zip archive, refused global
        raise CheckpointMismatchError(
            f'cannot read checkpoint {checkpoint}: {type(err).__name__}: {err}') from err
    if not isinstance(ckpt, dict):
        raise CheckpointMismatchError(
            f'cannot read checkpoint {checkpoint}: expected a dict, got {type(ckpt).__name__}')
    try:
        _load_checkpoint_to_model(model, ckpt, strict=True)
    except RuntimeError as err:  # MMEngine's strict load_state_dict: the keys that do not fit
        raise CheckpointMismatchError(
            f'checkpoint {checkpoint} does not match the model {type(model).__name__} built from '
            f'the config{_layout_note(ckpt)}:\n  {_shorten(str(err))}') from err
    return ckpt


def _layout_note(ckpt: dict) -> str:
    """`` (converted from the ... layout)`` when the loader converted a published layout."""
    layout = (ckpt.get('meta') or {}).get('source_layout')
    return f' (converted from the {layout} layout)' if layout else ''


def _resolve_model_name(config: Union[str, Config],
                        checkpoint: Optional[str]) -> Tuple[Union[str, Config], Optional[str]]:
    """A posezoo metafile model name -> its config file and (unless given) its published weights.

    Anything that is not a bare name of a posezoo metafile entry is returned unchanged.

    Raises:
        posezoo.weights.model_index.NoPublishedWeightsError: a name without published weights
            and no ``checkpoint``.
    """
    if (not isinstance(config, str) or osp.isfile(config) or '::' in config
            or config.endswith('.py') or '/' in config or osp.sep in config):
        return config, checkpoint
    from posezoo.weights.model_index import model_entry, resolve_model_name
    entry = model_entry(config)
    if entry is None:
        return config, checkpoint
    if checkpoint is not None:
        return entry['Config'], checkpoint
    return resolve_model_name(config)


def _warn_random_weights(cfg: Config) -> None:
    """``init_model(config)`` without weights: the network is randomly initialised."""
    warnings.warn(
        f'init_model: no checkpoint given for {cfg.filename or "the config"}: the weights are '
        'random (pass a checkpoint file or URL, or a model name with published weights)',
        UserWarning, stacklevel=3)


def init_model(config: Union[str, Config],
               checkpoint: Optional[str] = None,
               device: str = 'cpu',
               cfg_options: Optional[dict] = None) -> torch.nn.Module:
    """Build a model from a config, load its weights and make it ready for :func:`inference`.

    Works for every zoo config: pose (mmpose), video or skeleton action (mmaction) and image
    classification (mmpretrain); the task is read from the config's ``default_scope`` and its
    metafile entry (:func:`posezoo.apis.task.config_task`).

    Args:
        config: config file path, :class:`mmengine.Config`, or a posezoo model name (as ``mim
            search posezoo`` prints it), which also selects its published weights.
        checkpoint: weights to load, a file or an ``http(s)://`` URL (downloaded once, cached under
            ``TORCH_HOME``, verified; published layouts are converted on load), strictly: every key
            and shape must match. ``None`` keeps the initial weights, with a warning.
        device: ``'cpu'``, ``'cuda'``, ``'cuda:1'`` ...
        cfg_options: overrides merged into the config (dotted keys).

    Returns:
        The model in eval mode on ``device``, with ``model.cfg`` set (and ``model.dataset_meta``
        for pose and classification models).
    """
    config, checkpoint = _resolve_model_name(config, checkpoint)
    if isinstance(config, str):
        cfg = load_config(config, cfg_options)
    elif isinstance(config, Config):
        cfg = config.copy()
        if cfg_options:
            cfg.merge_from_dict(cfg_options)
    else:
        raise TypeError(f'config must be a file path or a Config, got {type(config).__name__}')
    task = config_task(cfg)
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
    else:
        _warn_random_weights(cfg)
    if task == IMAGE_CLASSIFICATION:  # public, as on pose models: the checkpoint's, else the
        model.dataset_meta = model._dataset_meta  # config's test dataset METAINFO (get_model)
    model.cfg = cfg
    model.to(device)
    model.eval()
    return model
