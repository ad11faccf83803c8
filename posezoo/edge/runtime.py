"""The edge runtime: an exported BK-Pose ONNX model + its JSON sidecar -> people in an image.

Needs numpy, OpenCV and one engine only: ONNX Runtime (default) or OpenVINO
(``backend='openvino'``)::

    from posezoo.edge import EdgePoseEstimator
    estimator = EdgePoseEstimator('bkpose.onnx')          # reads bkpose.json beside it
    poses = estimator(cv2.imread('image.jpg'))             # BGR uint8, any size
    poses.keypoints        # (P, K, 2) image pixels
    poses.keypoint_scores  # (P, K)
    poses.instance_scores  # (P,), descending
"""
import os.path as osp
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

import numpy as np

from .backends import BACKENDS, GRAPH_OPTIMIZATIONS, make_backend, physical_cores, session_options
from .decode import EdgeBKPoseDecoder
from .preprocess import bottomup_resize, input_sizes, normalize, to_image_coords
from .sidecar import read_sidecar, sidecar_path

__all__ = ['EdgePoseEstimator', 'EdgePoses', 'GRAPH_OPTIMIZATIONS', 'MAX_INPUT_SIZE',
           'physical_cores', 'session_options']

#: the longest side, in pixels, that the network input may have (as ``posezoo.apis.inference``).
MAX_INPUT_SIZE = 4096


@dataclass
class EdgePoses:
    """The people found in one image.

    Attributes:
        keypoints: (P, K, 2) in original-image pixels (x, y).
        keypoint_scores: (P, K), 0 for keypoints the person lacks.
        instance_scores: (P,) person scores, descending.
        timings: seconds spent in ``preprocess``, ``forward`` and ``decode``.
    """
    keypoints: np.ndarray
    keypoint_scores: np.ndarray
    instance_scores: np.ndarray
    timings: Dict[str, float] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.instance_scores)


class EdgePoseEstimator:
    """BK-Pose inference with ONNX Runtime or OpenVINO, OpenCV and numpy.

    Args:
        model: the ``.onnx`` file (its sidecar is ``<stem>.json`` beside it) or the sidecar.
        threads: the engine's inference threads (default: the physical cores).
        backend: one of :data:`posezoo.edge.backends.BACKENDS`: ``onnxruntime`` or
            ``openvino``; both read the same ONNX file and share the preprocessing and
            decoding.
        max_input_size: refuse images whose network input would be longer than this on its
            long side (an extreme aspect ratio such as 8000x300 grows the input to 512x13696).
        **engine_options: the engine's settings: ``graph_optimization``, ``spinning``,
            ``providers``, ``optimized_model`` for ONNX Runtime
            (:func:`posezoo.edge.backends.session_options`); ``hint`` (``latency`` /
            ``throughput``), ``precision``, ``device`` for OpenVINO
            (:func:`posezoo.edge.backends.openvino_config`).
    """

    def __init__(self, model: str, threads: Optional[int] = None, backend: str = 'onnxruntime',
                 max_input_size: int = MAX_INPUT_SIZE, **engine_options: Any) -> None:
        if backend not in BACKENDS:
            raise ValueError(f'backend must be one of {BACKENDS}, got {backend!r}')
        if model.endswith('.json'):
            self.sidecar_file = model
            self.sidecar = read_sidecar(model)
            self.onnx_file = osp.join(osp.dirname(model), self.sidecar['onnx'])
        else:
            self.sidecar_file = sidecar_path(model)
            self.sidecar = read_sidecar(self.sidecar_file)
            self.onnx_file = model
        if not osp.isfile(self.onnx_file):
            raise FileNotFoundError(f'ONNX model not found: {self.onnx_file} (named by '
                                    f'{self.sidecar_file})')
        if self.sidecar.get('flip_test'):
            raise NotImplementedError(f'{self.sidecar_file}: flip test is not supported by the '
                                      'edge runtime (BK-Pose configs run without it)')
        self.input_name = self.sidecar['input_name']
        self.output_name = self.sidecar['output_name']
        self.max_input_size = max_input_size
        self.preprocess_cfg = self.sidecar['preprocess']
        self.decoder = EdgeBKPoseDecoder.from_sidecar(self.sidecar['codec'])
        self.keypoint_names = list(self.sidecar.get('keypoint_names', []))
        self.skeleton_links = [tuple(link) for link in self.sidecar['skeleton_links']]
        self.backend = backend
        self.engine = make_backend(backend, self.onnx_file, self.input_name, self.output_name,
                                   threads=threads, **engine_options)

    @property
    def session(self) -> Any:
        """The ONNX Runtime session (``backend='onnxruntime'`` only)."""
        return self.engine.session

    def check_input_size(self, image: np.ndarray) -> None:
        """Refuse, before any work, an image whose network input would exceed
        ``max_input_size`` pixels on its long side."""
        cfg = self.preprocess_cfg
        height, width = image.shape[:2]
        if min(height, width) == 0:
            raise ValueError(f'empty image of {width}x{height} pixels')
        _, padded = input_sizes((width, height), tuple(cfg['input_size']), cfg['size_factor'],
                                cfg['resize_mode'])
        if max(padded) > self.max_input_size:
            raise ValueError(
                f'image of {width}x{height} would become a network input of {padded[0]}x'
                f'{padded[1]} pixels (resize_mode {cfg["resize_mode"]!r} to '
                f'{tuple(cfg["input_size"])}, aspect ratio '
                f'{max(width, height) / min(width, height):.0f}:1), more than '
                f'max_input_size={self.max_input_size} on its long side; crop or pad the image '
                'to a less extreme aspect ratio, or raise max_input_size')

    def preprocess(self, image: np.ndarray) -> tuple:
        """(H, W, 3) BGR uint8 -> the (1, 3, h, w) float32 network input and its geometry."""
        if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3:
            raise ValueError('expected an (H, W, 3) BGR image array, got '
                             f'{getattr(image, "shape", type(image).__name__)}')
        self.check_input_size(image)
        cfg = self.preprocess_cfg
        resized, geometry = bottomup_resize(image, tuple(cfg['input_size']), cfg['size_factor'],
                                            cfg['resize_mode'], cfg['use_udp'],
                                            cfg.get('pad_val', (0, 0, 0)))
        return normalize(resized, cfg['mean'], cfg['std'], cfg['bgr_to_rgb']), geometry

    def forward(self, x: np.ndarray) -> np.ndarray:
        """(1, 3, h, w) input -> (K + B, h/4, w/4) heatmaps."""
        return self.engine(x)[0]

    def __call__(self, image: np.ndarray) -> EdgePoses:
        """Find the people in one BGR image (see :class:`EdgePoses`)."""
        start = time.perf_counter()
        x, geometry = self.preprocess(image)
        preprocessed = time.perf_counter()
        heatmaps = self.forward(x)
        forwarded = time.perf_counter()
        keypoints, keypoint_scores, instance_scores = self.decoder.decode(heatmaps)
        keypoints = to_image_coords(keypoints, geometry)
        end = time.perf_counter()
        return EdgePoses(keypoints, keypoint_scores, instance_scores,
                         dict(preprocess=preprocessed - start, forward=forwarded - preprocessed,
                              decode=end - forwarded))
