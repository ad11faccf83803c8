"""The inference engines behind the edge runtime: ONNX Runtime and OpenVINO.

Both read the same exported ONNX file and map a (1, 3, h, w) float32 input to the network's
output; the preprocessing and the numpy decoding around them are shared
(:class:`posezoo.edge.runtime.EdgePoseEstimator`). Each engine is imported only when chosen.
"""
import os
from typing import Any, Optional, Sequence

import numpy as np

#: the engines :func:`make_backend` builds.
BACKENDS = ('onnxruntime', 'openvino')

#: ONNX Runtime graph optimisation levels by name.
GRAPH_OPTIMIZATIONS = ('disable', 'basic', 'extended', 'all')

#: OpenVINO performance hints by name (``latency``: one request at a time uses every stream's
#: threads; ``throughput``: several streams for requests in flight).
PERFORMANCE_HINTS = ('latency', 'throughput')


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
            ``run`` the spinning workers hold the cores the numpy decoding then needs
            (docs/deployment.md); turn it on for a lone network on dedicated cores.
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


class OnnxRuntimeBackend:
    """An ONNX Runtime session on one model (see :func:`session_options` for the arguments)."""

    name = 'onnxruntime'

    def __init__(self, onnx_file: str, input_name: str, output_name: str,
                 threads: Optional[int] = None, graph_optimization: str = 'all',
                 spinning: bool = False,
                 providers: Sequence[str] = ('CPUExecutionProvider', ),
                 optimized_model: Optional[str] = None) -> None:
        import onnxruntime as ort
        self.session = ort.InferenceSession(
            onnx_file, sess_options=session_options(threads, graph_optimization, spinning,
                                                    optimized_model),
            providers=list(providers))
        self.input_name = input_name
        self.output_name = output_name

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """(N, 3, h, w) float32 -> the output tensor (N, C, h', w')."""
        return self.session.run([self.output_name], {self.input_name: x})[0]


def openvino_config(threads: Optional[int] = None, hint: str = 'latency',
                    precision: str = 'f32') -> dict:
    """OpenVINO CPU plugin properties.

    Args:
        threads: inference threads (default: :func:`physical_cores`).
        hint: one of :data:`PERFORMANCE_HINTS`.
        precision: ``INFERENCE_PRECISION_HINT``; ``f32`` by default, so that CPUs with bf16 /
            fp16 units (AMX, AVX-512 FP16) do not silently run the network in lower precision.
    """
    if hint not in PERFORMANCE_HINTS:
        raise ValueError(f'hint must be one of {PERFORMANCE_HINTS}, got {hint!r}')
    return {'PERFORMANCE_HINT': hint.upper(),
            'INFERENCE_NUM_THREADS': int(threads or physical_cores()),
            'INFERENCE_PRECISION_HINT': precision}


class OpenVINOBackend:
    """An OpenVINO model compiled for the CPU from the ONNX file (dynamic height and width, as
    exported; see :func:`openvino_config` for the arguments)."""

    name = 'openvino'

    def __init__(self, onnx_file: str, input_name: str, output_name: str,
                 threads: Optional[int] = None, hint: str = 'latency',
                 precision: str = 'f32', device: str = 'CPU') -> None:
        import openvino as ov
        core = ov.Core()
        model = core.read_model(onnx_file)
        self.compiled = core.compile_model(model, device, openvino_config(threads, hint,
                                                                          precision))
        self.request = self.compiled.create_infer_request()
        self.input_name = input_name
        self.output = self.compiled.output(output_name)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """(N, 3, h, w) float32 -> the output tensor (N, C, h', w'), a copy the next call does
        not overwrite."""
        result = self.request.infer({self.input_name: x})
        return np.array(result[self.output], copy=True)


def make_backend(backend: str, onnx_file: str, input_name: str, output_name: str,
                 **options: Any) -> Any:
    """The engine named ``backend`` (one of :data:`BACKENDS`) on ``onnx_file``; ``options`` go
    to its class (:class:`OnnxRuntimeBackend` or :class:`OpenVINOBackend`)."""
    classes = dict(onnxruntime=OnnxRuntimeBackend, openvino=OpenVINOBackend)
    if backend not in classes:
        raise ValueError(f'backend must be one of {BACKENDS}, got {backend!r}')
    return classes[backend](onnx_file, input_name, output_name, **options)
