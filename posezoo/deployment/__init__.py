"""Deployment of zoo models: the inference network, ONNX export, ONNX Runtime and parity checks.

Depends only on :mod:`posezoo.apis`; ``tools/deployment/pytorch2onnx.py`` is the command-line
front end.
"""
from .network import InferenceNetwork, flatten_tensors
from .onnx_export import export_onnx, max_abs_error, ort_session, run_ort

__all__ = [
    'InferenceNetwork', 'flatten_tensors', 'export_onnx', 'max_abs_error', 'ort_session', 'run_ort'
]
