"""The task and the network input shape of a config, read from explicit data.

* The library is the config's ``default_scope``: ``mmpose`` serves pose estimation and
  ``mmpretrain`` image classification, each one task.
* ``mmaction`` serves two tasks (video and skeleton action recognition); which one is the
  ``Task`` of the config's metafile entry (``Metadata: Task``, else the task of its first
  ``Results`` entry), looked up by config name in posezoo's ``model-index.yml`` and, for MMAction2's
  own configs, in the installed MMAction2's model index.
* The input shape (without the batch axis) is the metafile's ``Metadata: Input Shape``
  (``1x3x8x32x32``); for pose configs it is the codec's ``input_size`` (``(3, h, w)``).

Config names are file stems: a metafile entry's ``Name`` is the stem of its ``Config``, the
OpenMMLab convention.
"""
import functools
import importlib.util
import os.path as osp
from typing import Dict, Optional, Tuple

import yaml
from mmengine.config import Config

POSE = 'pose'
VIDEO_ACTION = 'video_action'
SKELETON_ACTION = 'skeleton_action'
IMAGE_CLASSIFICATION = 'image_classification'
TASKS = (POSE, VIDEO_ACTION, SKELETON_ACTION, IMAGE_CLASSIFICATION)

#: Metafile task names (the OpenMMLab libraries' ``Results: Task`` values) -> posezoo tasks.
METAFILE_TASKS = {
    'Body 2D Keypoint': POSE,
    'Action Recognition': VIDEO_ACTION,
    'Skeleton-based Action Recognition': SKELETON_ACTION,
    'Image Classification': IMAGE_CLASSIFICATION,
}
_SCOPE_TASKS = {'mmpose': POSE, 'mmpretrain': IMAGE_CLASSIFICATION}
_SCOPES = "'mmpose' (pose), 'mmaction' (video or skeleton action) and 'mmpretrain' " \
          '(image classification)'


def _index_file(package: str) -> Optional[str]:
    """The ``model-index.yml`` of posezoo (checkout or wheel) or of an installed library."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    root = list(spec.submodule_search_locations)[0]
    for candidate in (osp.join(root, '.mim', 'model-index.yml'),
                      osp.join(osp.dirname(root), 'model-index.yml')):
        if osp.isfile(candidate):
            return candidate
    return None


@functools.lru_cache(maxsize=None)
def metafile_entries(package: str = 'posezoo') -> Dict[str, dict]:
    """Every metafile model of ``package``'s model index, by name (= config stem).

    Each entry is the metafile's model dict; ``Config`` is made absolute.
    """
    index_file = _index_file(package)
    if index_file is None:
        return {}
    root = osp.dirname(index_file)
    with open(index_file, encoding='utf-8') as f:
        imports = (yaml.safe_load(f) or {}).get('Import', [])
    entries: Dict[str, dict] = {}
    for rel in imports:
        with open(osp.join(root, rel), encoding='utf-8') as f:
            metafile = yaml.safe_load(f) or {}
        for model in metafile.get('Models') or []:
            model = dict(model)
            if model.get('Config'):
                model['Config'] = osp.realpath(osp.join(root, model['Config']))
            entries[model['Name']] = model
    return entries


def metafile_entry(cfg: Config) -> Optional[dict]:
    """The metafile entry of a config (posezoo's, else its library's), or None."""
    name = osp.splitext(osp.basename(cfg.filename or ''))[0]
    if not name:
        return None
    packages = ['posezoo'] + ([cfg.default_scope] if cfg.get('default_scope') else [])
    for package in packages:
        entry = metafile_entries(package).get(name)
        if entry is not None:
            return entry
    return None


def entry_task(entry: dict) -> Optional[str]:
    """The posezoo task of a metafile entry (``Metadata: Task``, else its first result's)."""
    name = (entry.get('Metadata') or {}).get('Task')
    results = entry.get('Results') or []
    results = [results] if isinstance(results, dict) else results  # MMAction2 writes one dict
    if name is None and results:
        name = results[0].get('Task')
    return METAFILE_TASKS.get(name, name)


def config_task(cfg: Config) -> str:
    """The task of a config: one of :data:`TASKS`.

    Raises:
        ValueError: the scope is not one posezoo serves, or an ``mmaction`` config has no
            metafile entry naming its task (the message says which file and what to add).
    """
    scope = cfg.get('default_scope')
    if scope in _SCOPE_TASKS:
        return _SCOPE_TASKS[scope]
    if scope != 'mmaction':
        raise ValueError(f'unknown task: the config has default_scope={scope!r}; posezoo.apis '
                         f'serves configs of {_SCOPES}')
    entry = metafile_entry(cfg)
    task = entry_task(entry) if entry else None
    if task is None:
        raise ValueError(
            f'{cfg.filename}: cannot tell a video from a skeleton action config; list it in a '
            "metafile imported by model-index.yml with 'Metadata: Task: Action Recognition' "
            "(or 'Skeleton-based Action Recognition')")
    if task not in (VIDEO_ACTION, SKELETON_ACTION):
        raise ValueError(f'{cfg.filename}: its metafile task {task!r} is not one that '
                         f'posezoo.apis serves ({", ".join(METAFILE_TASKS)})')
    return task


def _codec_input_size(cfg: Config) -> Optional[Tuple[int, int]]:
    """(w, h) of a pose config: its head decoder's or its codec's ``input_size``."""
    head = cfg.model.get('head') or {}
    for codec in (head.get('decoder'), cfg.get('codec')):
        codecs = codec if isinstance(codec, (list, tuple)) else [codec]
        for item in codecs:
            if isinstance(item, dict) and item.get('input_size') is not None:
                return tuple(item['input_size'])
    return None


def parse_shape(text: str) -> Tuple[int, ...]:
    """``'1x3x8x32x32'`` (or ``'1,3,8,32,32'``) -> ``(1, 3, 8, 32, 32)``."""
    try:
        return tuple(int(v) for v in str(text).replace(',', 'x').split('x'))
    except ValueError as err:
        raise ValueError(f'not a shape: {text!r} (expected e.g. 1x3x8x32x32)') from err


def config_input_shape(cfg: Config) -> Tuple[int, ...]:
    """The inference network's input shape without the batch axis.

    * pose: (3, h, w) from the codec's ``input_size``;
    * video action: (views, 3, T, H, W); skeleton action: (views, people, T, joints, channels);
      image classification: (C, H, W): the metafile's ``Metadata: Input Shape``.

    Raises:
        ValueError: neither is there (the message names the config file).
    """
    entry = metafile_entry(cfg)
    shape = (entry.get('Metadata') or {}).get('Input Shape') if entry else None
    if shape is not None:
        return parse_shape(shape)
    if cfg.get('default_scope') == 'mmpose':
        size = _codec_input_size(cfg)
        if size is not None:
            return (3, int(size[1]), int(size[0]))
    raise ValueError(f'{cfg.filename}: no input shape: give its metafile entry '
                     "'Metadata: Input Shape' (e.g. 1x3x8x32x32), or pass the shape explicitly")


def test_pipeline(cfg: Config) -> list:
    """The config's test-time data pipeline (a list of transform dicts)."""
    dataset = cfg.get('test_dataloader', {}).get('dataset', {})
    while 'pipeline' not in dataset and 'dataset' in dataset:  # wrappers (RepeatDataset, ...)
        dataset = dataset['dataset']
    return list(dataset.get('pipeline') or cfg.get('test_pipeline') or [])
