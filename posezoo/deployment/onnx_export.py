"""ONNX export of a model's inference network, ONNX Runtime sessions and the PyTorch parity check.

The exported graph is :class:`posezoo.deployment.network.InferenceNetwork`: for pose models the
network from the normalised image up to the raw head outputs (heatmaps, tags, ...); decoding and
grouping stay in Python (the model's codec), exactly as in PyTorch inference.
"""
import os
import os.path as osp
import warnings
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch
from torch import Tensor, nn

INPUT_NAME = 'input'


def export_onnx(network: nn.Module, example: Tensor, path: str, opset: int = 17,
                dynamic_batch: bool = True, dynamic_spatial: bool = True) -> List[str]:
    """Export ``network`` (Tensor -> tuple of Tensors) to an ONNX file.

    Uses the TorchScript-based exporter (``dynamo=False``), which needs no extra package and
    keeps the graph's shape arithmetic symbolic, so dynamic axes work for every zoo network.

    Args:
        network: the module to export, in eval mode.
        example: an example input (B, C, H, W) (or any rank; axis 0 is the batch).
        path: the output ``.onnx`` file (its folder is created).
        opset: ONNX opset version, >= 17.
        dynamic_batch: make axis 0 of the input and the outputs dynamic.
        dynamic_spatial: also make the last two axes (H, W) dynamic.

    Returns:
        list: the output names (``output_0``, ``output_1``, ...).
    """
    if opset < 17:
        raise ValueError(f'opset must be >= 17, got {opset}')
    network.eval()
    with torch.no_grad():
        outputs = network(example)
    if isinstance(outputs, Tensor):
        outputs = (outputs, )
    output_names = [f'output_{i}' for i in range(len(outputs))]
    dynamic_axes: Dict[str, Dict[int, str]] = {}
    for name, tensor in [(INPUT_NAME, example)] + list(zip(output_names, outputs)):
        axes: Dict[int, str] = {}
        if dynamic_batch:
            axes[0] = 'batch'
        if dynamic_spatial and tensor.dim() >= 4:
            axes[tensor.dim() - 2] = f'{name}_height'
            axes[tensor.dim() - 1] = f'{name}_width'
        if axes:
            dynamic_axes[name] = axes
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # tracer and deprecation warnings of the exporter
        torch.onnx.export(
            network, (example, ),
            path,
            input_names=[INPUT_NAME],
            output_names=output_names,
            dynamic_axes=dynamic_axes or None,
            opset_version=opset,
            do_constant_folding=True,
            dynamo=False)
    return output_names


def ort_session(path: str, device: str = 'cpu', threads: Optional[int] = None) -> Any:
    """An ONNX Runtime inference session for ``path``.

    Args:
        path: the ``.onnx`` file.
        device: ``cpu`` or ``cuda`` (CUDA execution provider when onnxruntime has it, CPU else).
        threads: intra-op threads (default: torch's, so both runtimes get the same cores).
    """
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or torch.get_num_threads()
    options.log_severity_level = 3
    providers = ['CPUExecutionProvider']
    if device.startswith('cuda') and 'CUDAExecutionProvider' in ort.get_available_providers():
        providers.insert(0, 'CUDAExecutionProvider')
    return ort.InferenceSession(path, sess_options=options, providers=providers)


def run_ort(session: Any, x: Tensor) -> List[np.ndarray]:
    """Run a session on one input tensor; returns every output as a numpy array."""
    return session.run(None, {INPUT_NAME: x.detach().cpu().numpy()})


def max_abs_error(reference: Sequence[Tensor], outputs: Sequence[np.ndarray]) -> float:
    """The largest absolute difference over all outputs (shapes must match)."""
    if len(reference) != len(outputs):
        raise ValueError(f'{len(reference)} PyTorch outputs vs {len(outputs)} ONNX outputs')
    worst = 0.0
    for ref, out in zip(reference, outputs):
        ref_np = ref.detach().float().cpu().numpy()
        if ref_np.shape != out.shape:
            raise ValueError(f'output shape mismatch: PyTorch {ref_np.shape} vs ONNX {out.shape}')
        worst = max(worst, float(np.abs(ref_np - out).max()) if ref_np.size else 0.0)
    return worst

