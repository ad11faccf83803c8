"""The JSON sidecar written next to an exported BK-Pose ONNX model.

Everything the edge runtime needs besides the network: the input geometry and normalisation of
the config's test pipeline and data preprocessor, the keypoint names and skeleton links of the
dataset metainfo, and the decoding settings of the codec. Reading it needs only the
standard library; writing it (:func:`sidecar_from_model`) takes a built posezoo pose model but
imports nothing of the OpenMMLab stack itself (numpy only).

Layout (``format`` = :data:`SIDECAR_FORMAT`)::

    {"format": "posezoo-edge/1",
     "onnx": "bkpose.onnx",                      # the model file, relative to the sidecar
     "input_name": "input", "output_name": "output_0",
     "preprocess": {"input_size": [w, h], "size_factor": 64, "resize_mode": "expand",
                    "use_udp": false, "pad_val": [0, 0, 0], "mean": [0, 0, 0],
                    "std": [255, 255, 255], "bgr_to_rgb": true},
     "keypoint_names": [...], "skeleton_links": [[a, b], ...], "flip_indices": [...],
     "codec": {"type": "BKPoseHeatmap", "input_size": [w, h], "heatmap_size": [W, H],
               "score_thr": 0.2, ...},           # the codec's decoding settings
     "flip_test": false}
"""
import json
import os.path as osp
from typing import Any, Dict

import numpy as np

from .grouping import GROUPING_KEYS

SIDECAR_FORMAT = 'posezoo-edge/1'

#: The top-level keys the runtime reads.
SIDECAR_KEYS = ('onnx', 'input_name', 'output_name', 'preprocess', 'skeleton_links', 'codec')

#: The ``preprocess`` settings the runtime reads (``pad_val`` is optional: black).
PREPROCESS_KEYS = ('input_size', 'size_factor', 'resize_mode', 'use_udp', 'mean', 'std',
                   'bgr_to_rgb')

#: The codec attributes that decoding reads (see :class:`posezoo.edge.decode.EdgeBKPoseDecoder`).
CODEC_KEYS = ('num_keypoints', 'skeleton_links') + GROUPING_KEYS


def _plain(value: Any) -> Any:
    """Tuples -> lists and numpy scalars -> Python numbers, recursively (JSON-ready)."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _pipeline_step(pipeline: list, type_name: str, config_file: str) -> dict:
    step = next((s for s in pipeline if isinstance(s, dict) and s.get('type') == type_name), None)
    if step is None:
        raise ValueError(f'{config_file}: the test pipeline has no {type_name} step; the edge '
                         'runtime reproduces BottomupResize only')
    return step


def sidecar_from_model(model: Any, onnx_file: str, output_name: str,
                       input_name: str = 'input') -> Dict[str, Any]:
    """The sidecar of a posezoo BK-Pose model (built from its config, e.g. ``init_model``).

    Args:
        model: a ``BottomupPoseEstimator`` with a ``BKPoseHead``; it carries ``cfg`` and
            ``dataset_meta``.
        onnx_file: the exported model; the sidecar stores its base name.
        output_name: the ONNX output that holds the (1, K + B, H/4, W/4) heatmaps.
        input_name: the ONNX input name.

    Raises:
        ValueError: the model is not BK-Pose or its test pipeline has no ``BottomupResize``.
    """
    cfg = model.cfg
    config_file = getattr(cfg, 'filename', None) or 'the config'
    codec = getattr(getattr(model, 'head', None), 'decoder', None)
    if codec is None or type(codec).__name__ != 'BKPoseHeatmap':
        raise ValueError(f'{config_file}: the edge runtime serves BK-Pose (a BKPoseHead with a '
                         f'BKPoseHeatmap decoder), got {type(codec).__name__}')
    dataset = cfg.test_dataloader.dataset
    while 'pipeline' not in dataset and 'dataset' in dataset:
        dataset = dataset.dataset
    resize = _pipeline_step(dataset.pipeline, 'BottomupResize', config_file)
    pre = model.data_preprocessor
    meta = model.dataset_meta or {}
    id2name = meta.get('keypoint_id2name') or {}
    return _plain(dict(
        format=SIDECAR_FORMAT,
        onnx=osp.basename(onnx_file),
        input_name=input_name,
        output_name=output_name,
        preprocess=dict(
            input_size=resize['input_size'],
            size_factor=resize.get('size_factor', 32),
            resize_mode=resize.get('resize_mode', 'fit'),
            use_udp=resize.get('use_udp', False),
            pad_val=resize.get('pad_val', (0, 0, 0)),
            mean=pre.mean.flatten().tolist(),
            std=pre.std.flatten().tolist(),
            bgr_to_rgb=bool(getattr(pre, '_channel_conversion', False))),
        keypoint_names=[id2name[i] for i in range(codec.num_keypoints)] if id2name else [],
        skeleton_links=codec.skeleton_links,
        flip_indices=codec.flip_indices,
        codec=dict({k: getattr(codec, k) for k in CODEC_KEYS}, type='BKPoseHeatmap'),
        flip_test=bool(cfg.model.get('test_cfg', {}).get('flip_test', False))))


def write_sidecar(sidecar: Dict[str, Any], path: str) -> None:
    """Write ``sidecar`` as indented JSON."""
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(sidecar, f, indent=2)
        f.write('\n')


def sidecar_path(onnx_file: str) -> str:
    """Where the sidecar of ``onnx_file`` lives: ``<stem>.json`` beside it."""
    return osp.splitext(onnx_file)[0] + '.json'


def read_sidecar(path: str) -> Dict[str, Any]:
    """Read and check a sidecar.

    Raises:
        FileNotFoundError: no such file.
        ValueError: not a posezoo edge sidecar, or a key (top-level, in ``preprocess`` or in
            ``codec``) is missing; the message names the file and the key.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'edge sidecar not found: {path} (written by '
                                'tools/deployment/export_edge.py next to the .onnx file)')
    with open(path, encoding='utf-8') as f:
        try:
            sidecar = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f'{path}: not valid JSON ({e})') from e
    if sidecar.get('format') != SIDECAR_FORMAT:
        raise ValueError(f'{path}: format {sidecar.get("format")!r}, expected {SIDECAR_FORMAT!r}')
    for key in SIDECAR_KEYS:
        if key not in sidecar:
            raise ValueError(f'{path}: missing key {key!r} (re-export the model with '
                             'tools/deployment/export_edge.py)')
    for section, keys in (('preprocess', PREPROCESS_KEYS), ('codec', CODEC_KEYS)):
        if not isinstance(sidecar[section], dict):
            raise ValueError(f'{path}: {section!r} must be an object, got '
                             f'{type(sidecar[section]).__name__}')
        missing = [k for k in keys if k not in sidecar[section]]
        if missing:
            raise ValueError(f'{path}: {section} settings {missing} missing (re-export the '
                             'model with tools/deployment/export_edge.py)')
    return sidecar
