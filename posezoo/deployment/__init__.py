"""Deployment of zoo models: ONNX export, ONNX Runtime sessions and PyTorch parity checks.

``tools/deployment/pytorch2onnx.py`` is the command-line front end.
"""
from .onnx_export import export_onnx, max_abs_error, ort_session, preprocess_image, run_ort

__all__ = ['export_onnx', 'max_abs_error', 'ort_session', 'preprocess_image', 'run_ort']
