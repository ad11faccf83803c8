"""posezoo.edge: BK-Pose inference with ONNX Runtime, OpenCV and numpy only.

Install on a device with ``pip install --no-deps posezoo`` plus ``onnxruntime``, ``numpy`` and
``opencv-python-headless==4.14.0.94`` (``posezoo[edge]`` cannot leave out posezoo's own
requirements, the OpenMMLab stack: ``docs/deployment.md``); nothing here imports torch, mmcv,
mmengine or mmpose.
A model is an ONNX file plus its JSON sidecar, both written by
``tools/deployment/export_edge.py`` (and ``tools/deployment/quantize_edge.py`` for INT8); see
``docs/deployment.md``.
"""
from .decode import EdgeBKPoseDecoder
from .draw import draw_poses
from .runtime import EdgePoseEstimator, EdgePoses, session_options
from .sidecar import read_sidecar, sidecar_path

__all__ = ['EdgeBKPoseDecoder', 'EdgePoseEstimator', 'EdgePoses', 'draw_poses', 'read_sidecar',
           'session_options', 'sidecar_path']
