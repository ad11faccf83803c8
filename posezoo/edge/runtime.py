"""The edge runtime: an exported BK-Pose ONNX model + its JSON sidecar -> people in an image.

Needs onnxruntime, numpy and OpenCV only::

    from posezoo.edge import EdgePoseEstimator
    estimator = EdgePoseEstimator('bkpose.onnx')          # reads bkpose.json beside it
    poses = estimator(cv2.imread('image.jpg'))             # BGR uint8, any size
    poses.keypoints        # (P, K, 2) image pixels
    poses.keypoint_scores  # (P, K)
    poses.instance_scores  # (P,), descending
"""
import os
import os.path as osp
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Sequence

import numpy as np

from .decode import EdgeBKPoseDecoder
from .preprocess import bottomup_resize, normalize, to_image_coords
from .sidecar import read_sidecar, sidecar_path

#: ONNX Runtime graph optimisation levels by name.
GRAPH_OPTIMIZATIONS = ('disable', 'basic', 'extended', 'all')


def physical_cores() -> int:
    """The physical cores among the CPUs this process may use (hyper-threads of one core count
    once: a second intra-op thread on a sibling slows ONNX Runtime's convolutions down); the
    CPU count where the topology is unknown (not Linux)."""
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else []
    cores = set()
    for cpu in cpus:
        topology = f'/sys/devices/system/cpu/cpu{cpu}/topology/'
        try:
            with open(topology + 'physical_package_id') as f1, open(topology + 'core_id') as f2:
                cores.add((f1.read().strip(), f2.read().strip()))
        except OSError:
            return len(cpus)
    return len(cores) or len(cpus) or (os.cpu_count() or 1)


def session_options(threads: Optional[int] = None, graph_optimization: str = 'all',
                    spinning: bool = False, optimized_model: Optional[str] = None) -> Any:
    """ONNX Runtime session options for one stream of single images on a CPU.

    Args:
        threads: intra-op threads (default: :func:`physical_cores`).
        graph_optimization: one of :data:`GRAPH_OPTIMIZATIONS`; ``all`` adds the layout
            optimisations (NCHWc blocked convolutions) and fusions to constant folding.
        spinning: let idle worker threads spin between operators. Off by default: after
            ``run`` the spinning workers hold the cores the numpy decoding then needs (measured
            on 2 loaded cores, 2 threads: 118 ms per image end to end with spinning, 87 without,
            decoding 37 vs 24 ms); turn it on for a lone network on dedicated cores.
        optimized_model: write the optimised graph there (ONNX Runtime's
            ``optimized_model_filepath``; loading it later skips the optimisation, but with
            ``all`` it holds CPU-specific NCHWc operators: keep it on the machine that wrote it).
    """
    import onnxruntime as ort
    if graph_optimization not in GRAPH_OPTIMIZATIONS:
        raise ValueError(f'graph_optimization must be one of {GRAPH_OPTIMIZATIONS}, got '
                         f'{graph_optimization!r}')
    levels = dict(disable=ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
                  basic=ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
                  extended=ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                  all=ort.GraphOptimizationLevel.ORT_ENABLE_ALL)
    options = ort.SessionOptions()
    options.graph_optimization_level = levels[graph_optimization]
    options.intra_op_num_threads = threads or physical_cores()
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3
    options.add_session_config_entry('session.intra_op.allow_spinning',
                                     '1' if spinning else '0')
    if optimized_model:
        options.optimized_model_filepath = optimized_model
    return options


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
    """BK-Pose inference with ONNX Runtime, OpenCV and numpy.

    Args:
        model: the ``.onnx`` file (its sidecar is ``<stem>.json`` beside it) or the sidecar.
        threads, graph_optimization, spinning, optimized_model: see :func:`session_options`.
        providers: ONNX Runtime execution providers. Default: CPU.
    """

    def __init__(self, model: str, threads: Optional[int] = None,
                 graph_optimization: str = 'all', spinning: bool = False,
                 providers: Sequence[str] = ('CPUExecutionProvider', ),
                 optimized_model: Optional[str] = None) -> None:
        import onnxruntime as ort
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
        self.session = ort.InferenceSession(
            self.onnx_file, sess_options=session_options(threads, graph_optimization, spinning,
                                                              optimized_model),
            providers=list(providers))
        self.input_name = self.sidecar['input_name']
        self.output_name = self.sidecar['output_name']
        self.preprocess_cfg = self.sidecar['preprocess']
        self.decoder = EdgeBKPoseDecoder.from_sidecar(self.sidecar['codec'])
        self.keypoint_names = list(self.sidecar.get('keypoint_names', []))
        self.skeleton_links = [tuple(link) for link in self.sidecar['skeleton_links']]

    def preprocess(self, image: np.ndarray) -> tuple:
        """(H, W, 3) BGR uint8 -> the (1, 3, h, w) float32 network input and its geometry."""
        if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3:
            raise ValueError('expected an (H, W, 3) BGR image array, got '
                             f'{getattr(image, "shape", type(image).__name__)}')
        cfg = self.preprocess_cfg
        resized, geometry = bottomup_resize(image, tuple(cfg['input_size']), cfg['size_factor'],
                                            cfg['resize_mode'], cfg['use_udp'],
                                            cfg.get('pad_val', (0, 0, 0)))
        return normalize(resized, cfg['mean'], cfg['std'], cfg['bgr_to_rgb']), geometry

    def forward(self, x: np.ndarray) -> np.ndarray:
        """(1, 3, h, w) input -> (K + B, h/4, w/4) heatmaps."""
        return self.session.run([self.output_name], {self.input_name: x})[0][0]

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
