"""Cost measurements of one model: parameters, FLOPs, latency statistics and peak memory.

Everything here works on any ``nn.Module`` and any zero-argument callable, so the same code
measures MMPose, MMAction2 and MMPretrain models (see :mod:`bench.models` for how a config becomes
a module and an input) and is unit-tested on tiny hand-countable networks. Parameters and FLOPs
are MMEngine's (``mmengine.analysis``); timing statistics are ``torch.utils.benchmark``
``Measurement`` s of per-call samples.

Conventions:
    * FLOPs are counted as multiply-accumulates (one fused multiply-add = 1 FLOP), the convention
      of fvcore / MMEngine's ``FlopAnalyzer`` and of the papers' "GFLOPs" (HigherHRNet-W32 at
      512: 47.9 "GFLOPs"). Element-wise operations (activations, additions, upsampling) are not
      counted.
    * Latencies are wall-clock seconds; the statistics are robust (median, quartiles, p10/p90).
    * Peak memory on CPU reads the kernel's per-process counters (Linux ``/proc``); this is a
      measurement tool, not library code.
"""
import contextlib
import ctypes
import os
import resource
import time
from typing import Any, Callable, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.analysis import FlopAnalyzer, parameter_count
from torch import nn
from torch.utils.benchmark import Measurement
from torch.utils.benchmark.utils.common import TaskSpec


def count_params(module: nn.Module) -> int:
    """Number of parameters of ``module`` (shared parameters counted once), by MMEngine."""
    return int(parameter_count(module)[''])


def count_flops(module: nn.Module, inputs: Tuple[Any, ...]) -> int:
    """Multiply-accumulates of one ``module(*inputs)`` call, traced by MMEngine's FlopAnalyzer.

    Args:
        module: the network; it is traced with ``torch.jit`` in its current mode (use eval).
        inputs: the positional arguments of one call, e.g. ``(x, )`` with x (B, 3, H, W).

    Returns:
        int: total multiply-accumulates of the call (for the whole batch).
    """
    analyzer = FlopAnalyzer(module, inputs)
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    analyzer.tracer_warnings('none')
    with torch.no_grad():
        return int(analyzer.total())


def measurement(samples: Sequence[float], label: str = 'call') -> Measurement:
    """The ``torch.utils.benchmark`` statistics (median, IQR, mean) of per-call timings.

    Raises:
        ValueError: ``samples`` is empty.
    """
    if len(samples) == 0:
        raise ValueError('a measurement needs at least one timing sample')
    return Measurement(number_per_run=1, raw_times=[float(t) for t in samples],
                       task_spec=TaskSpec(stmt=label, setup='', num_threads=torch.get_num_threads()))


def percentile(stats: Measurement, q: float) -> float:
    """The ``q``-th percentile of a measurement's per-call times (linear interpolation)."""
    return float(np.percentile(stats.times, q))


def synchronize(device: torch.device) -> None:
    """Wait for the device's queued kernels (no-op on CPU)."""
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def time_callable(fn: Callable[[], Any], warmup: int = 1, repeats: int = 5,
                  device: torch.device = torch.device('cpu')) -> Tuple[Measurement, Any]:
    """Time ``fn()``: ``warmup`` untimed calls, then ``repeats`` timed calls.

    The device is synchronised before and after every timed call, so CUDA times are complete.
    (``torch.utils.benchmark.Timer`` adds warm-up calls of its own to every ``timeit``, which
    would multiply the cost of slow end-to-end runs; its ``Measurement`` gives the statistics.)

    Returns:
        tuple: the ``Measurement`` of the timed calls and the last call's return value.
    """
    if repeats < 1:
        raise ValueError(f'repeats must be >= 1, got {repeats}')
    result = None
    for _ in range(warmup):
        result = fn()
    synchronize(device)
    samples: List[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        synchronize(device)
        samples.append(time.perf_counter() - start)
    return measurement(samples), result


def _proc_status_kib(field: str) -> Optional[int]:
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _release_free_heap() -> None:
    """Return memory that the C allocator keeps after ``free`` to the OS (glibc ``malloc_trim``),
    so that the RSS before a call does not already contain its activations."""
    try:
        ctypes.CDLL('libc.so.6').malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS counter (VmHWM) of this process (Linux >= 4.0)."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


def peak_memory_mib(fn: Callable[[], Any], device: torch.device = torch.device('cpu')
                    ) -> Tuple[float, Any]:
    """Peak memory that one ``fn()`` call adds on top of what was in use before it, in MiB.

    * CUDA: ``torch.cuda.max_memory_allocated`` minus the memory allocated before the call.
    * CPU: the process's peak resident set size during the call minus the RSS before it. On
      Linux the kernel's peak counter is reset first (``/proc/self/clear_refs``), so the figure
      is exact for this call; elsewhere ``getrusage`` gives the growth of the lifetime peak,
      a lower bound (0 when an earlier call peaked higher). Free heap memory is returned to
      the OS first (glibc ``malloc_trim``) so that reused allocator pages do not hide the peak.

    Returns:
        tuple: the peak in MiB and ``fn``'s return value.
    """
    if device.type == 'cuda':
        synchronize(device)
        before = torch.cuda.memory_allocated(device)
        torch.cuda.reset_peak_memory_stats(device)
        result = fn()
        synchronize(device)
        return (torch.cuda.max_memory_allocated(device) - before) / 2**20, result
    _release_free_heap()
    before_rss = _proc_status_kib('VmRSS')
    if before_rss is not None and _reset_peak_rss():
        result = fn()
        peak = _proc_status_kib('VmHWM')
        return max(0, peak - before_rss) / 1024, result
    before_max = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    result = fn()
    after_max = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return max(0, after_max - before_max) / 1024, result


def autocast_context(device: torch.device, precision: str) -> contextlib.AbstractContextManager:
    """The autocast context of a precision: ``fp32`` (none), ``fp16`` or ``bf16``.

    fp16 autocast is only offered on CUDA (CPU fp16 kernels are missing or slow); bf16 works on
    both.
    """
    if precision == 'fp32':
        return contextlib.nullcontext()
    dtypes = {'fp16': torch.float16, 'bf16': torch.bfloat16}
    if precision not in dtypes:
        raise ValueError(f'unknown precision {precision!r}: fp32, fp16 or bf16')
    if precision == 'fp16' and device.type != 'cuda':
        raise ValueError('fp16 autocast needs a CUDA device; use fp32 or bf16 on CPU')
    return torch.autocast(device_type=device.type, dtype=dtypes[precision])


@contextlib.contextmanager
def timed_method(obj: Any, name: str, sink: List[float], device: torch.device) -> Iterator[None]:
    """Temporarily wrap ``obj.<name>`` so that every call's duration is appended to ``sink``.

    The wrapper is an instance attribute, so calls through ``self.<name>(...)`` inside the
    object's own methods are timed too; it is removed on exit.
    """
    original = getattr(obj, name)

    def wrapper(*args, **kwargs):
        synchronize(device)
        start = time.perf_counter()
        out = original(*args, **kwargs)
        synchronize(device)
        sink.append(time.perf_counter() - start)
        return out

    setattr(obj, name, wrapper)
    try:
        yield
    finally:
        if name in vars(obj):
            delattr(obj, name)


def machine_load() -> Optional[Tuple[float, float, float]]:
    """The 1/5/15-minute load averages (None where unavailable)."""
    try:
        return os.getloadavg()
    except OSError:
        return None
